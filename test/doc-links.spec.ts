/**
 * Every relative link of the repository's documents leads somewhere: to a file that exists and,
 * for a link with a `#fragment`, to a heading of that file (as GitHub names heading anchors).
 * Links to the web are not followed (the tests run offline).
 */
import { expect } from 'chai';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { REPOSITORY_ROOT } from './support/consumers';

/** The documents checked: the Markdown files at the root and in docs/. */
const DOCUMENTS = [
  ...readdirSync(REPOSITORY_ROOT).filter((file) => file.endsWith('.md')),
  ...readdirSync(join(REPOSITORY_ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
].sort();

/** Markdown without its fenced code blocks, where headings and links mean nothing. */
function withoutCodeBlocks(markdown: string): string {
  return markdown.replace(/^```[^\n]*\n[\s\S]*?^```$/gm, '');
}

/** The targets of the inline links (`[text](target)`) of `markdown`. */
function linkTargets(markdown: string): string[] {
  return [
    ...withoutCodeBlocks(markdown)
      .replace(/`[^`\n]*`/g, '')
      .matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g),
  ].map((match) => match[1]);
}

/** The anchor GitHub gives a heading: lower case, punctuation dropped, spaces as hyphens. */
function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/`/g, '')
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of the headings of `markdown`, a repeated one numbered as GitHub does. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutCodeBlocks(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const anchor = headingAnchor(match[1]);
    const count = seen.get(anchor) ?? 0;
    seen.set(anchor, count + 1);
    anchors.add(count === 0 ? anchor : `${anchor}-${count}`);
  }
  return anchors;
}

/** What is wrong with the relative links of `document`, one line per broken link. */
function brokenLinks(document: string): string[] {
  const markdown = readFileSync(join(REPOSITORY_ROOT, document), 'utf8');
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:, …
    const [path, fragment] = target.split('#', 2);
    const file =
      path === ''
        ? join(REPOSITORY_ROOT, document)
        : join(REPOSITORY_ROOT, dirname(document), path);
    const shown = relative(REPOSITORY_ROOT, file);
    if (!existsSync(file)) {
      broken.push(`${target}: no file ${shown}`);
    } else if (fragment !== undefined && file.endsWith('.md')) {
      if (!headingAnchors(readFileSync(file, 'utf8')).has(fragment)) {
        broken.push(`${target}: no heading #${fragment} in ${shown}`);
      }
    }
  }
  return broken;
}

describe('links between the documents', () => {
  it('checks the root documents and every guide', () => {
    expect(DOCUMENTS).to.include.members(['README.md', 'CONTRIBUTING.md', 'docs/watching.md']);
  });

  for (const document of DOCUMENTS) {
    it(`${document}: every relative link leads to a file and a heading that exist`, () => {
      expect(brokenLinks(document)).to.deep.equal([]);
    });
  }

  it('reads links and anchors as GitHub does (the check can fail)', () => {
    const markdown = [
      '# Results, errors and pictures',
      '## `Workflow.stream` — events',
      '## Setup',
      '## Setup',
      'See [a](docs/a.md#x), [b](#setup "title") and `[not](a link)`.',
      '```ts',
      '## not a heading',
      'const link = [c](d.md);',
      '```',
    ].join('\n');
    expect(linkTargets(markdown)).to.deep.equal(['docs/a.md#x', '#setup']);
    expect([...headingAnchors(markdown)]).to.deep.equal([
      'results-errors-and-pictures',
      'workflowstream--events',
      'setup',
      'setup-1',
    ]);
  });
});
