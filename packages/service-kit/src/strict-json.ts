import { AppError } from './app-error.js';

const forbiddenKeys = new Set(['__proto__', 'constructor', 'prototype']);
/** Deeper than any body Gatehouse takes; deeper ones only exist to exhaust a recursive walker's stack. */
export const maxJsonDepth = 32;

/**
 * JSON.parse keeps the last of two equal keys and happily builds
 * `__proto__` keys; both are ways to smuggle a value past validation.
 * This walks the text once, refuses them, then lets JSON.parse build the value.
 */
export function parseStrictJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new AppError('malformed_json', { cause });
  }
  checkKeys(text);
  return value;
}

function checkKeys(text: string): void {
  // Each open object has its own key set; arrays push null so nesting lines up.
  const stack: (Set<string> | null)[] = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = stringEnd(text, i);
      const top = stack.at(-1);
      if (top && expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (forbiddenKeys.has(key)) {
          throw new AppError('forbidden_field', { message: `The field name "${key}" is not allowed.` });
        }
        if (top.has(key)) {
          throw new AppError('duplicate_field', { message: `The field "${key}" appears more than once.` });
        }
        top.add(key);
        expectKey = false;
      }
      i = end;
    } else if (ch === '{' || ch === '[') {
      if (stack.length === maxJsonDepth) {
        throw new AppError('malformed_json', { message: `The body is nested more than ${maxJsonDepth} levels deep.` });
      }
      stack.push(ch === '{' ? new Set() : null);
      expectKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      stack.pop();
    } else if (ch === ',') {
      expectKey = stack.at(-1) != null;
    }
  }
}

function stringEnd(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}
