/**
 * A memo of a pure function's answers by key, started over once it holds LIMIT of them: rules ask about the same few
 * thousand names once per node of every tree, and a long-lived process must not grow with every name it ever saw.
 * Answers are never undefined.
 */
export class BoundedMemo<K, V> {
  private answers = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K, compute: (key: K) => V): V {
    let answer = this.answers.get(key);
    if (answer === undefined) {
      answer = compute(key);
      if (this.answers.size >= this.limit) this.answers = new Map();
      this.answers.set(key, answer);
    }
    return answer;
  }
}
