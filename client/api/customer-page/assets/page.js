// The customer onboarding page: copy button, role ARN box, live progress. No framework, no other origin.
// Every fragment set as HTML was rendered and escaped by the server; text from answers goes in as text.
'use strict';

(function () {
  const body = document.body;
  const announcer = document.getElementById('announcer');
  const progress = document.getElementById('progress');
  const roleResult = document.getElementById('role-result');

  const copyButton = document.getElementById('copy-external-id');
  const copyStatus = document.getElementById('copy-status');
  if (copyButton) {
    copyButton.addEventListener('click', async function () {
      const field = document.getElementById(copyButton.dataset.copy);
      try {
        await navigator.clipboard.writeText(field.value);
        copyStatus.textContent = 'Copied.';
      } catch {
        field.select();
        copyStatus.textContent = 'Selected: press Ctrl+C (or ⌘C) to copy.';
      }
    });
  }

  function showProblem(problem) {
    const box = document.createElement('div');
    box.className = 'result result-problem';
    const lines = [
      [null, problem.detail || problem.title || 'The request failed.'],
      ['Why:', problem.cause],
      ['What to do:', problem.fix],
    ];
    for (const [label, text] of lines) {
      if (!text) continue;
      const paragraph = document.createElement('p');
      if (label) {
        const span = document.createElement('span');
        span.className = 'label';
        span.textContent = label;
        paragraph.append(span, ' ', text);
      } else {
        const strong = document.createElement('strong');
        strong.textContent = text;
        paragraph.append(strong);
      }
      box.append(paragraph);
    }
    roleResult.replaceChildren(box);
    announcer.textContent = 'Problem: ' + (problem.detail || problem.title);
  }

  function showText(className, text) {
    const paragraph = document.createElement('p');
    paragraph.className = 'result ' + className;
    paragraph.textContent = text;
    roleResult.replaceChildren(paragraph);
    announcer.textContent = text;
  }

  const form = document.getElementById('role-arn-form');
  const input = document.getElementById('role-arn');
  const submit = document.getElementById('submit-role-arn');
  form.addEventListener('submit', async function (event) {
    event.preventDefault();
    submit.disabled = true;
    showText('result-wait', 'Checking the ARN…');
    try {
      const response = await fetch(form.action, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ roleArn: input.value }),
      });
      const answer = await response.json().catch(function () {
        return { detail: 'The server answered ' + response.status + '.' };
      });
      if (response.ok) {
        showText('result-wait', 'ARN taken. Checking the role with AWS…');
        follow();
      } else {
        showProblem(answer);
        input.setAttribute('aria-invalid', 'true');
        input.focus();
      }
    } catch {
      showProblem({ detail: 'The server could not be reached; check your connection and try again.' });
    } finally {
      submit.disabled = false;
    }
  });
  input.addEventListener('input', function () {
    input.removeAttribute('aria-invalid');
  });

  let source = null;
  let lastAnnouncement = announcer.textContent;
  // The server pushes each change; the page never polls.
  function follow() {
    if (source || body.dataset.finished === 'true') return;
    source = new EventSource(body.dataset.events);
    source.addEventListener('progress', function (message) {
      const view = JSON.parse(message.data);
      body.dataset.phase = view.phase;
      progress.innerHTML = view.progressHtml;
      if (view.roleResultHtml) roleResult.innerHTML = view.roleResultHtml;
      if (view.announcement !== lastAnnouncement) {
        lastAnnouncement = view.announcement;
        announcer.textContent = view.announcement;
      }
      if (view.finished) stop(true);
    });
    for (const name of ['revoked', 'gone']) {
      source.addEventListener(name, function (message) {
        showProblem(JSON.parse(message.data));
        stop(true);
      });
    }
    source.addEventListener('error', function () {
      // EventSource reconnects by itself after the server's retry delay; a refused link (4xx) closes it.
      if (source && source.readyState === EventSource.CLOSED) stop(false);
    });
  }
  function stop(finished) {
    if (source) source.close();
    source = null;
    if (finished) body.dataset.finished = 'true';
  }
  follow();
})();
