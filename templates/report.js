(function () {
  'use strict';
  var doc = document;
  doc.documentElement.classList.add('js');

  // Filters: data attributes only, counts through textContent; the page never builds markup from data.
  var form = doc.getElementById('filters');
  var findings = Array.prototype.slice.call(doc.querySelectorAll('#findings article.finding'));
  var rules = Array.prototype.slice.call(doc.querySelectorAll('#findings section.rule'));
  var shownCount = doc.getElementById('shown-count');
  var noMatch = doc.getElementById('no-match');
  var filterNote = doc.getElementById('filter-note');
  var shownLine = shownCount ? shownCount.parentNode : null;
  var severityCounts = Array.prototype.slice.call(doc.querySelectorAll('[data-severity-count]'));

  function apply() {
    var want = {
      severity: form.elements.severity.value,
      rule: form.elements.rule.value,
      origin: form.elements.origin.value,
      environment: form.elements.environment.value
    };
    var text = form.elements.q.value.trim().toLowerCase();
    var shown = 0;
    var perRule = {};
    var perSeverity = {};
    findings.forEach(function (el) {
      var d = el.dataset;
      var ok = (!want.severity || d.severity === want.severity) &&
        (!want.rule || d.rule === want.rule) &&
        (!want.origin || d.origin === want.origin) &&
        (!want.environment || d.environment === want.environment) &&
        (!text || d.search.indexOf(text) !== -1);
      el.hidden = !ok;
      if (ok) {
        shown += 1;
        perRule[d.rule] = (perRule[d.rule] || 0) + 1;
        perSeverity[d.severity] = (perSeverity[d.severity] || 0) + 1;
      }
    });
    rules.forEach(function (section) {
      var n = perRule[section.dataset.rule] || 0;
      section.hidden = n === 0;
      var count = section.querySelector('.rule-count');
      if (count) count.textContent = String(n);
    });
    severityCounts.forEach(function (el) {
      el.textContent = String(perSeverity[el.getAttribute('data-severity-count')] || 0);
    });
    if (shownCount) shownCount.textContent = String(shown);
    // Say which filters are on, so a printed or shared view is never mistaken for the whole report.
    var active = [];
    ['severity', 'rule', 'origin', 'environment'].forEach(function (name) {
      if (want[name]) active.push(name + ' ' + want[name]);
    });
    if (text) active.push('text "' + text + '"');
    if (filterNote) filterNote.textContent = active.length ? ' (filtered by ' + active.join(', ') + ')' : '';
    if (shownLine) shownLine.classList.toggle('filtered', active.length > 0);
    if (noMatch) noMatch.hidden = shown !== 0 || findings.length === 0;
  }

  if (form) {
    form.addEventListener('input', apply);
    form.addEventListener('change', apply);
    form.addEventListener('submit', function (event) { event.preventDefault(); });
    form.addEventListener('reset', function () { setTimeout(apply, 0); });
    form.hidden = false;
  }

  // Copy buttons: the snippet's text content, through the clipboard API or a textarea fallback (file:// pages).
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = doc.createElement('textarea');
      area.value = text;
      area.setAttribute('readonly', '');
      area.style.position = 'fixed';
      area.style.opacity = '0';
      doc.body.appendChild(area);
      area.select();
      var ok = false;
      try { ok = doc.execCommand('copy'); } catch (e) { ok = false; }
      doc.body.removeChild(area);
      if (ok) resolve(); else reject(new Error('copy failed'));
    });
  }
  doc.addEventListener('click', function (event) {
    var button = event.target instanceof Element ? event.target.closest('button.copy') : null;
    if (!button) return;
    var code = doc.getElementById(button.getAttribute('data-copy') || '');
    if (!code) return;
    copyText(code.textContent || '').then(function () {
      button.textContent = 'Copied';
    }, function () {
      button.textContent = 'Select and copy';
    });
    setTimeout(function () { button.textContent = 'Copy'; }, 2000);
  });

  // Sortable tables: header buttons sort rows by cell text, or by data-value when present.
  Array.prototype.slice.call(doc.querySelectorAll('table.sortable')).forEach(function (table) {
    var headers = Array.prototype.slice.call(table.querySelectorAll('thead th[data-sort]'));
    var body = table.tBodies[0];
    headers.forEach(function (th, column) {
      var button = doc.createElement('button');
      button.type = 'button';
      button.textContent = th.textContent;
      th.textContent = '';
      th.appendChild(button);
      button.addEventListener('click', function () {
        var ascending = th.getAttribute('aria-sort') !== 'ascending';
        headers.forEach(function (other) { other.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
        var numeric = th.getAttribute('data-sort') === 'number';
        var rows = Array.prototype.slice.call(body.rows);
        var key = function (row) {
          var cell = row.cells[column];
          var raw = cell.getAttribute('data-value');
          var value = raw !== null ? raw : cell.textContent.trim();
          return numeric ? Number(value) : value.toLowerCase();
        };
        rows.sort(function (a, b) {
          var x = key(a);
          var y = key(b);
          var order = x < y ? -1 : x > y ? 1 : 0;
          return ascending ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
  });

  // Print every collapsed section too.
  var opened = [];
  window.addEventListener('beforeprint', function () {
    opened = Array.prototype.slice.call(doc.querySelectorAll('details:not([open])'));
    opened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener('afterprint', function () {
    opened.forEach(function (d) { d.open = false; });
    opened = [];
  });
})();
