import { describe, expect, it } from 'vitest';
import { analyzeBuildkitText, commandEndpoints, tomlEndpoints } from '../src/analyzers/build/buildkit.js';
import { tcpHost } from '../src/rules/build/buildkit-remote-without-mtls.js';

const brief = (text: string, path: string) => analyzeBuildkitText(text, path).endpoints.map((e) => ({ role: e.role, form: e.form, addr: e.addr, line: e.line, tls: e.tls, ...(e.opaque ? { opaque: true } : {}) }));

describe('BuildKit endpoints in command text', () => {
  it('reads buildctl in Groovy, Python and Makefile hosts, with continuation lines and resolved variables', () => {
    const jenkinsfile = ['pipeline {', '  stages { stage("b") { steps {', "    sh 'buildctl --addr tcp://buildkitd:1234 build --frontend dockerfile.v0'", '  } } }', '}'].join('\n');
    expect(brief(jenkinsfile, 'Jenkinsfile')).toEqual([{ role: 'client', form: 'buildctl', addr: 'tcp://buildkitd:1234', line: 3, tls: [] }]);
    const tiltfile = "local(['buildctl', '--addr', 'tcp://10.0.0.9:1234', '--tlscacert', 'ca.pem', 'build'])\n";
    expect(brief(tiltfile, 'Tiltfile')).toEqual([{ role: 'client', form: 'buildctl', addr: 'tcp://10.0.0.9:1234', line: 1, tls: ['tlscacert'] }]);
    const makefile = ['BUILDKIT ?= tcp://builder.ci:1234', 'image:', '\tbuildctl \\', '\t  --addr $(BUILDKIT) \\', '\t  build --frontend dockerfile.v0', ''].join('\n');
    expect(brief(makefile, 'Makefile')).toEqual([{ role: 'client', form: 'buildctl', addr: 'tcp://builder.ci:1234', line: 4, tls: [] }]);
    // A command substitution is not followed.
    expect(brief('buildctl --addr $(cat /etc/buildkit-addr) build', 'ci/b.sh')).toEqual([]);
    const script = ['ADDR=tcp://builder.ci:1234', 'buildctl \\', '  --addr "${ADDR}" build'].join('\n');
    expect(brief(script, 'ci/build.sh')).toEqual([{ role: 'client', form: 'buildctl', addr: 'tcp://builder.ci:1234', line: 3, tls: [] }]);
  });

  it('reads BUILDKIT_HOST assignments, buildx remote drivers and daemons, and marks options it cannot see', () => {
    expect(commandEndpoints('export BUILDKIT_HOST=tcp://bk:1234\nENV BUILDKIT_HOST=unix:///run/buildkit/buildkitd.sock\n').map((e) => [e.form, e.addr, e.line])).toEqual([
      ['env', 'tcp://bk:1234', 1],
      ['env', 'unix:///run/buildkit/buildkitd.sock', 2],
    ]);
    expect(commandEndpoints('docker buildx create --name r --driver=remote --driver-opt=cacert=/c/ca.pem --driver-opt key=/c/key.pem tcp://bk:1234')[0]).toMatchObject({ role: 'buildx-remote', tls: ['driver-opt cacert', 'driver-opt key'] });
    expect(commandEndpoints('docker buildx create --name r --driver docker-container')).toEqual([]);
    expect(commandEndpoints('buildkitd --addr tcp://0.0.0.0:1234 --tlscert /c/cert.pem --tlskey /c/key.pem')[0]).toMatchObject({ role: 'daemon', tls: ['tlscert', 'tlskey'] });
    expect(commandEndpoints('buildkitd --addr tcp://0.0.0.0:1234 --config /etc/buildkit/buildkitd.toml')[0]).toMatchObject({ opaque: true, configOnly: true });
    expect(commandEndpoints('buildctl --addr tcp://bk:1234 $BUILDCTL_TLS_OPTS build')[0]).toMatchObject({ opaque: true });
    expect(commandEndpoints('echo "buildctl --addr tcp://bk:1234 build"')).toEqual([]);
    // A container published on all interfaces is reachable from elsewhere; one left on a Docker network is not.
    expect(commandEndpoints('docker run -d -p 1234:1234 moby/buildkit:v0.13.2 --addr tcp://0.0.0.0:1234')[0]).toMatchObject({ role: 'daemon', addr: 'tcp://0.0.0.0:1234' });
    expect(commandEndpoints('docker run -d --network ci moby/buildkit:v0.13.2 --addr tcp://0.0.0.0:1234')).toEqual([]);
  });

  it('reads buildkitd.toml addresses line by line with the [grpc.tls] keys', () => {
    const toml = ['[grpc]', '  address = [', '    "unix:///run/buildkit/buildkitd.sock",', '    "tcp://0.0.0.0:1234",', '  ]', '[grpc.tls]', '  cert = "/c/tls.crt"', '  key = "/c/tls.key"'].join('\n');
    expect(tomlEndpoints(toml).map((e) => [e.addr, e.line, e.tls])).toEqual([
      ['unix:///run/buildkit/buildkitd.sock', 3, ['tlscert', 'tlskey']],
      ['tcp://0.0.0.0:1234', 4, ['tlscert', 'tlskey']],
    ]);
  });

  it('takes the host of tcp:// addresses only', () => {
    expect(tcpHost('tcp://[::1]:1234')).toBe('::1');
    expect(tcpHost('TCP://BuildKitd:1234')).toBe('buildkitd');
    expect(tcpHost('kube-pod://buildkitd-0')).toBeUndefined();
    expect(tcpHost('ssh://user@host')).toBeUndefined();
  });
});
