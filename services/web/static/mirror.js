/* global document, window, WebSocket */
// Live progress for /mirror. The page works without this file (it shows the
// state on every load); with it, the bar moves as the mirror reports. The
// socket goes to this site, which bridges it to the mirror service with the
// session's token: the page never sees a token.
(() => {
  'use strict';
  const root = document.querySelector('[data-mirror-live]');
  if (!root || !('WebSocket' in window)) return;
  const id = root.getAttribute('data-mirror-live');
  const bar = root.querySelector('progress');
  const percent = root.querySelector('[data-mirror-percent]');
  const stage = root.querySelector('[data-mirror-stage]');
  const message = root.querySelector('[data-mirror-message]');
  const live = root.querySelector('[data-mirror-connection]');
  const stages = {
    connect: 'Connecting to GitHub',
    create_repository: 'Creating the repository',
    pack: 'Packing the source',
    push: 'Pushing',
    verify: 'Checking the result',
  };

  // A few reloads at most: a socket refused every time must not spin the page.
  const reloadsKey = 'gatehouse-mirror-reloads';
  const reload = () => {
    const count = Number(window.sessionStorage.getItem(reloadsKey) || 0);
    if (count >= 3) {
      if (live) live.textContent = 'Live updates stopped. Refresh the page to see the latest state.';
      return;
    }
    window.sessionStorage.setItem(reloadsKey, String(count + 1));
    window.location.reload();
  };

  const url = new URL('/mirror/events', window.location.href);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.searchParams.set('id', id);
  const socket = new WebSocket(url);

  socket.addEventListener('open', () => {
    if (live) live.textContent = 'Updating live.';
    window.sessionStorage.removeItem(reloadsKey);
  });
  socket.addEventListener('message', (event) => {
    let job;
    try {
      job = JSON.parse(event.data);
    } catch {
      return;
    }
    const value = Math.max(0, Math.min(100, Math.round(Number(job.percent) || 0)));
    if (bar) {
      bar.value = value;
      bar.textContent = `${value}%`;
    }
    if (percent) percent.textContent = `${value}%`;
    if (stage && stages[job.stage]) stage.textContent = stages[job.stage];
    if (message && typeof job.message === 'string') message.textContent = job.message;
    // The finished page (with the repository link or the error) is the server's to draw.
    if (job.status === 'succeeded' || job.status === 'failed') reload();
  });
  socket.addEventListener('close', (event) => {
    // 4401: the login behind this page ended or its token needs refreshing; a reload sorts out which.
    if (event.code === 4401 || event.code === 1000) {
      reload();
      return;
    }
    if (live) live.textContent = 'Live updates stopped. Refresh the page to see the latest state.';
  });
})();
