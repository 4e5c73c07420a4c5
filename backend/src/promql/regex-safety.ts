/**
 * A guard for the regular expressions of label matchers (`=~`, `!~`) and label_replace(). Prometheus compiles them
 * with Go's RE2, which runs in time linear in the input; Plenum runs them on JavaScript's backtracking engine,
 * where a crafted pattern such as `(a*)*b` takes time exponential in the label value's length and would stall the
 * backend's one event loop. So before compiling, a pattern is refused (a ParseError: 400 bad_data, naming the
 * matcher) when it has
 *
 * - more than MAX_REGEX_LENGTH characters;
 * - a backreference (`\1`, `\k<name>`) or a lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`) — RE2 has neither, so
 *   Prometheus refuses these too;
 * - a repeated group (`*`, `+`, `{n,}`, `{n,m}` with m > 1) that itself contains a repetition or an alternation:
 *   `(a*)*`, `(a+)+`, `(.*,)*`, `(a|aa)+`. These are the shapes of catastrophic backtracking. RE2 accepts them, so
 *   here Plenum refuses what Prometheus answers — a deliberate deviation (README.md); `[ab]*` or `(?:ab)*` say the
 *   same things safely.
 *
 * What remains (repetitions side by side, as `.*foo.*bar.*`) is at worst polynomial in the label value's length,
 * and label values are short (point ids, topology names).
 */

/**
 * Longest pattern accepted, characters. Long enough for a Grafana multi-value variable with "All" selected over
 * 5 000 racks (`A01|A02|…`, Grafana's default when no custom all value is set); a limit on work, not on sense.
 */
export const MAX_REGEX_LENGTH = 65_536;

interface Group {
  /** a repetition somewhere inside (nested groups included) */
  repeats: boolean;
  /** a `|` somewhere inside (nested groups included) */
  alternates: boolean;
}

/** Why the pattern is refused, or undefined when it is safe to compile. `source` is without the leading `(?i)`. */
export function unsafeRegexReason(source: string): string | undefined {
  if (source.length > MAX_REGEX_LENGTH)
    return `longer than the ${MAX_REGEX_LENGTH.toLocaleString('en')} characters allowed (${source.length.toLocaleString('en')})`;
  const stack: Group[] = [{ repeats: false, alternates: false }];
  /** the last atom, when a quantifier may follow it: a group's own contents, or undefined for a single character */
  let last: Group | 'atom' | undefined;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i]!;
    if (c === '\\') {
      const e = source[i + 1] ?? '';
      if (/[1-9]/.test(e)) return `the backreference \\${e} (RE2 has none)`;
      if (e === 'k' && source[i + 2] === '<') return 'the named backreference \\k<…> (RE2 has none)';
      // \p{…}, \x.., \u.... are single characters (or fail to compile below)
      i += 2;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      // a character class is one atom; `]` right after `[` or `[^` is a literal
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      while (j < n && source[j] !== ']') j += source[j] === '\\' ? 2 : 1;
      i = j + 1;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      const head = source.slice(i, i + 4);
      if (head.startsWith('(?=') || head.startsWith('(?!')) return `the lookahead ${head.slice(0, 3)}…) (RE2 has none)`;
      if (head === '(?<=' || head === '(?<!') return `the lookbehind ${head}…) (RE2 has none)`;
      stack.push({ repeats: false, alternates: false });
      i++;
      last = undefined;
      continue;
    }
    if (c === ')') {
      const inner = stack.length > 1 ? stack.pop()! : { repeats: false, alternates: false };
      const parent = stack[stack.length - 1]!;
      parent.repeats ||= inner.repeats;
      parent.alternates ||= inner.alternates;
      i++;
      last = inner;
      continue;
    }
    if (c === '|') {
      stack[stack.length - 1]!.alternates = true;
      i++;
      last = undefined;
      continue;
    }
    const q = quantifier(source, i);
    if (q) {
      if (q.repeats && last !== undefined) {
        if (last !== 'atom' && (last.repeats || last.alternates))
          return `the repeated group ending at character ${i} contains ${last.repeats ? 'a repetition' : 'an alternation'} (nested quantifiers backtrack exponentially; use a character class or one quantifier)`;
        stack[stack.length - 1]!.repeats = true;
      }
      i += q.length;
      // a lazy or possessive suffix belongs to the quantifier
      if (source[i] === '?' || source[i] === '+') i++;
      last = undefined;
      continue;
    }
    i++;
    last = 'atom';
  }
  return undefined;
}

/** A quantifier at `at`: its length and whether it can repeat (more than once). */
function quantifier(s: string, at: number): { length: number; repeats: boolean } | undefined {
  const c = s[at];
  if (c === '*' || c === '+') return { length: 1, repeats: true };
  if (c === '?') return { length: 1, repeats: false };
  if (c !== '{') return undefined;
  const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(at, at + 24));
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : m[3] === '' ? Infinity : Number(m[3]);
  return { length: m[0].length, repeats: hi > 1 };
}
