/**
 * The pieces of jsdom the tests use (jsdom ships no types of its own): the Mermaid test helper's
 * document, and the abort spec's DOM implementation of `AbortController`.
 */
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string);
    readonly window: {
      readonly document: unknown;
      readonly AbortController: new () => {
        readonly signal: unknown;
        abort(reason?: unknown): void;
      };
      readonly AbortSignal: abstract new () => unknown;
      close(): void;
    };
  }
}
