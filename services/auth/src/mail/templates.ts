import type { MailMessage } from './outbox.js';

const escape = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

interface Letter {
  to: string;
  subject: string;
  greeting: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  footer: string;
}

/** One layout for every mail: a plain-text part and an HTML part saying the same. */
function compose(letter: Letter): MailMessage {
  const text = [
    letter.greeting,
    '',
    ...letter.paragraphs.flatMap((p) => [p, '']),
    ...(letter.action ? [`${letter.action.label}:`, letter.action.url, ''] : []),
    letter.footer,
    '',
    '— Gatehouse',
  ].join('\n');
  const button = letter.action
    ? `<p style="margin:24px 0"><a href="${escape(letter.action.url)}" style="background:#1f4fd1;color:#fff;padding:12px 20px;border-radius:6px;text-decoration:none;display:inline-block">${escape(letter.action.label)}</a></p>
<p style="font-size:13px;color:#555">Or paste this address into your browser:<br><span style="word-break:break-all">${escape(letter.action.url)}</span></p>`
    : '';
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escape(letter.subject)}</title></head>
<body style="font-family:system-ui,-apple-system,Segoe UI,sans-serif;color:#1a1a1a;max-width:560px;margin:0 auto;padding:24px;line-height:1.5">
<p style="font-weight:600;font-size:18px">Gatehouse</p>
<p>${escape(letter.greeting)}</p>
${letter.paragraphs.map((p) => `<p>${escape(p)}</p>`).join('\n')}
${button}
<p style="font-size:13px;color:#555">${escape(letter.footer)}</p>
</body></html>`;
  return { to: letter.to, subject: letter.subject, text, html };
}

export interface ConfirmationTerms {
  /** How long the link works. */
  hours: number;
  /** How long an unconfirmed account is kept. */
  keepDays: number;
}

export function confirmationMail(to: string, username: string, url: string, terms: ConfirmationTerms): MailMessage {
  return compose({
    to,
    subject: 'Confirm your email address',
    greeting: `Hello ${username},`,
    paragraphs: [
      'Thanks for signing up for Gatehouse. Confirm that this is your email address to finish creating your account.',
      'Opened in the browser you signed up with, the link confirms at once. Anywhere else it asks for the password you chose.',
    ],
    action: { label: 'Confirm my email', url },
    footer:
      `This link works once, for ${hours(terms.hours)}. If you did not sign up, ignore this mail: nothing is confirmed ` +
      `without the password, and the unconfirmed account is deleted after ${days(terms.keepDays)}.`,
  });
}

export function accountExistsMail(to: string, username: string, loginUrl: string, resetUrl: string): MailMessage {
  return compose({
    to,
    subject: 'Someone tried to sign up with your email address',
    greeting: `Hello ${username},`,
    paragraphs: [
      'Someone just tried to create a Gatehouse account with this email address, but you already have one.',
      `If it was you, log in at ${loginUrl}. If you forgot your password, you can choose a new one at ${resetUrl}.`,
    ],
    footer: 'If it was not you, you need not do anything: your account has not changed.',
  });
}

export function passwordResetMail(to: string, username: string, url: string, minutes: number): MailMessage {
  return compose({
    to,
    subject: 'Reset your password',
    greeting: `Hello ${username},`,
    paragraphs: [
      'Someone asked to reset the password of your Gatehouse account. If it was you, choose a new password.',
    ],
    action: { label: 'Choose a new password', url },
    footer: `This link works once, for ${minutes} minutes. If you did not ask, ignore this mail: your password has not changed.`,
  });
}

export function passwordChangedMail(to: string, username: string, resetUrl: string): MailMessage {
  return compose({
    to,
    subject: 'Your password was changed',
    greeting: `Hello ${username},`,
    paragraphs: [
      'The password of your Gatehouse account was just changed, and every other session was logged out.',
      `If this was not you, reset your password now at ${resetUrl}.`,
    ],
    footer: 'You are receiving this mail because it concerns the security of your account.',
  });
}

const hours = (n: number) => (n === 1 ? '1 hour' : `${n} hours`);
const days = (n: number) => (n === 1 ? '1 day' : `${n} days`);
