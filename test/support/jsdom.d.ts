/** The one piece of jsdom the Mermaid test helper uses (jsdom ships no types of its own). */
declare module 'jsdom' {
  export class JSDOM {
    constructor(html?: string);
    readonly window: { readonly document: unknown; close(): void };
  }
}
