import test from 'ava';
import { z } from 'zod';
import { AppError, fieldCodes, fieldIssue, textField, validate } from '../src/index.js';

const schema = z.strictObject({
  username: textField('username_required').refine(
    (v) => v.length >= 3,
    fieldIssue('username_invalid', 'Use 3 or more characters.'),
  ),
  email: textField('email_required').refine((v) => v.includes('@'), fieldIssue('email_invalid')),
  age: z.number().max(150).optional(),
});

const errorsOf = (input: unknown) => {
  try {
    validate(schema, input);
  } catch (err) {
    if (err instanceof AppError) return err.errors ?? [];
  }
  throw new Error('validate accepted the input');
};

test('a check naming a field code → that code, with the message the schema gave', (t) => {
  t.deepEqual(errorsOf({ username: 'ab', email: 'a@b' }), [
    { field: 'username', code: 'username_invalid', message: 'Use 3 or more characters.' },
  ]);
});

test('a check naming a code without a message → the code and its default message from the list', (t) => {
  t.deepEqual(errorsOf({ username: 'abc', email: 'nope' }), [
    { field: 'email', code: 'email_invalid', message: fieldCodes.email_invalid },
  ]);
});

test('a text field missing or not a string → its required code, and no later check runs on it', (t) => {
  t.deepEqual(errorsOf({ email: 42 }), [
    { field: 'username', code: 'username_required', message: fieldCodes.username_required },
    { field: 'email', code: 'email_required', message: fieldCodes.email_required },
  ]);
});

test('an unknown field → unknown_field naming it; a check that names no code → <field>_invalid', (t) => {
  t.deepEqual(errorsOf({ username: 'abc', email: 'a@b', extra: 1 }), [
    { field: 'extra', code: 'unknown_field', message: 'The field "extra" is not accepted here.' },
  ]);
  t.like(errorsOf({ username: 'abc', email: 'a@b', age: 200 })[0], { field: 'age', code: 'age_invalid' });
});
