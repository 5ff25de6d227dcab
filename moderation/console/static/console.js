/* The moderators' console: keyboard shortcuts, focus after decisions, and the poll for new
   comments and cards decided elsewhere. Plain JavaScript, no build step; decisions themselves
   are htmx form posts (they also work without this file, as plain forms). */
(function () {
  'use strict';

  var TEXT_TYPES = ['text', 'email', 'password', 'search', 'number', 'url', 'tel', 'date', 'time'];
  var current = null; // id of the focused card element

  function cards() { return Array.prototype.slice.call(document.querySelectorAll('#cards .card')); }
  function byId(id) { return id ? document.getElementById(id) : null; }
  function focusedCard() { return byId(current); }
  function isWaiting(card) { return card && card.getAttribute('data-mode') === 'waiting'; }

  function focusCard(card) {
    if (!card) { return; }
    cards().forEach(function (c) { c.classList.remove('is-focused'); });
    card.classList.add('is-focused');
    current = card.id;
    card.focus({ preventScroll: true });
    revealCard(card);
  }

  // --- no dead ends (issue 22) -------------------------------------------------------------
  // The sticky header and banners cover the top of the window: a card is "visible" only
  // below them. Their height is measured (it changes with the window's width and banners),
  // the card scrolled below it, and kept in --sticky-top for .card's scroll-margin-top (the
  // browser's own scrolling to #card-N or #cN uses it too).
  function stickyTop() {
    var bottom = 0;
    document.querySelectorAll('header.top, .banner:not([hidden])').forEach(function (el) {
      var style = window.getComputedStyle(el);
      if (style.position !== 'sticky' && style.position !== 'fixed') { return; }
      var rect = el.getBoundingClientRect();
      if (rect.height > 0 && rect.top < 1 + parseFloat(style.top || '0')) { bottom = Math.max(bottom, rect.bottom); }
    });
    return Math.ceil(bottom);
  }

  function revealCard(card) {
    var top = stickyTop();
    document.documentElement.style.setProperty('--sticky-top', top + 'px');
    var rect = card.getBoundingClientRect();
    if (rect.top < top + 4) {
      window.scrollBy(0, rect.top - top - 8);
    } else if (rect.bottom > window.innerHeight) {
      // Down: the bottom comes into view, but never the top under the header.
      window.scrollBy(0, Math.min(rect.bottom - window.innerHeight + 8, rect.top - top - 8));
    }
  }

  var NEXT_PAGE_FOCUS = 'console:focus-first';

  function nextPage() {
    var link = document.getElementById('next-page');
    if (!link) { return false; }
    try { window.sessionStorage.setItem(NEXT_PAGE_FOCUS, link.href); } catch (e) { /* private mode */ }
    window.location.href = link.href;
    return true;
  }

  function focusAfterLoad() {
    var wanted = null;
    try { wanted = window.sessionStorage.getItem(NEXT_PAGE_FOCUS); window.sessionStorage.removeItem(NEXT_PAGE_FOCUS); }
    catch (e) { wanted = null; }
    var hash = window.location.hash.match(/^#card-(\d+)$/);
    if (hash && byId('card-' + hash[1])) { focusCard(byId('card-' + hash[1])); return; }
    if (wanted && wanted === window.location.href && cards().length) { focusCard(cards()[0]); }
  }

  function updateCounts(counts) {
    if (!counts) { return; }
    Object.keys(counts).forEach(function (tab) {
      var el = document.querySelector('.tabs .count[data-tab="' + tab + '"]');
      if (el && el.textContent !== counts[tab]) { el.textContent = counts[tab]; }
    });
  }

  function signedOut(status) {
    // An htmx decision after being signed out elsewhere: say so, with a way back to this place.
    var here = window.location.pathname + window.location.search + (current ? '#' + current : '');
    var login = status.getAttribute('data-login') + '?next=' + encodeURIComponent(here);
    status.innerHTML = '';
    var p = document.createElement('p');
    p.className = 'flash error signed-out';
    p.appendChild(document.createTextNode(status.getAttribute('data-signed-out') + ' '));
    var a = document.createElement('a');
    a.href = login;
    a.textContent = status.getAttribute('data-sign-in');
    p.appendChild(a);
    status.appendChild(p);
  }

  function move(step) {
    var list = cards();
    var index = list.indexOf(focusedCard());
    if (index < 0) { focusCard(step > 0 ? list[0] : list[list.length - 1]); return; }
    if (step > 0 && index === list.length - 1 && nextPage()) { return; }
    focusCard(list[Math.max(0, Math.min(list.length - 1, index + step))]);
  }

  function nextWaiting(card) {
    var list = cards();
    var index = list.indexOf(card);
    for (var i = index + 1; i < list.length; i++) { if (isWaiting(list[i])) { return list[i]; } }
    for (var j = index - 1; j >= 0; j--) { if (isWaiting(list[j])) { return list[j]; } }
    return null;
  }

  function isTextField(el) {
    if (!el || !el.tagName) { return false; }
    var tag = el.tagName.toLowerCase();
    if (tag === 'textarea' || tag === 'select' || el.isContentEditable) { return true; }
    return tag === 'input' && TEXT_TYPES.indexOf((el.getAttribute('type') || 'text').toLowerCase()) >= 0;
  }

  function openPanel(card, selector, focusSelector) {
    var panel = card && card.querySelector(selector);
    if (!panel) { return null; }
    panel.open = true;
    var first = panel.querySelector(focusSelector);
    if (first) { first.focus(); }
    return panel;
  }

  function openRejectPanel(card) {
    if (!card) { return null; }
    var panel = card.querySelector('details.reject-panel');
    return panel && panel.open ? panel : null;
  }

  function closePanels(card) {
    if (!card) { return; }
    card.querySelectorAll('details[open]').forEach(function (d) { d.open = false; });
    focusCard(card);
  }

  // Said once by screen readers: #announce is a live region that no swap replaces. The
  // alternating no-break space makes the same words (two approvals in a row) a change.
  var toggle = false;
  function announce(text) {
    var region = document.getElementById('announce');
    if (!region || !text) { return; }
    toggle = !toggle;
    region.textContent = text + (toggle ? '\u00a0' : '');
  }

  function statusText() {
    var status = document.getElementById('status');
    return status ? status.textContent.replace(/\s+/g, ' ').trim() : '';
  }

  function submit(form) {
    if (form) { form.requestSubmit(); }
  }

  function updateSelection() {
    var label = document.getElementById('selected-count');
    if (!label) { return; }
    var n = document.querySelectorAll('#cards input.select:checked').length;
    label.textContent = n ? (label.getAttribute('data-selected') || '{n}').replace('{n}', n)
      : label.getAttribute('data-empty') || label.textContent;
    document.body.classList.toggle('has-selection', n > 0);
  }

  function onKey(event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var help = document.getElementById('help');
    if (document.querySelector('dialog[open]')) { return; } // a dialog handles its own keys
    var card = focusedCard();
    var rejecting = openRejectPanel(card);
    if (event.key === 'Escape') { if (card) { closePanels(card); } return; }
    if (isTextField(event.target)) { return; }
    if (rejecting) {
      if (/^[1-6]$/.test(event.key)) {
        var radios = rejecting.querySelectorAll('input[type=radio]');
        var radio = radios[parseInt(event.key, 10) - 1];
        if (radio) { radio.checked = true; radio.focus(); }
        event.preventDefault();
        return;
      }
      if (event.key === 'Enter') {
        event.preventDefault();
        submit(rejecting.querySelector('form'));
        return;
      }
    }
    var handled = true;
    switch (event.key) {
      case 'j': move(1); break;
      case 'k': move(-1); break;
      case 'a': if (isWaiting(card)) { submit(card.querySelector('form.approve')); } break;
      case 'r': if (isWaiting(card)) { openRejectWithLastReason(card); } break;
      case 'b': if (isWaiting(card)) { openPanel(card, 'details.ban-panel', 'input[type=text]'); } break;
      case 'u': submit(document.getElementById('undo-form')); break;
      case 'f': if (card) { submit(card.querySelector('form.feature')); } break;
      case 'x':
        var box = card && card.querySelector('input.select');
        if (box) { box.checked = !box.checked; updateSelection(); }
        break;
      case 'A': clickBulkApprove(); break;
      case 'R': prepareBulkReject(); break;
      case '1': case '2': case '3': case '4': case '5': switchTab(event.key); break;
      case 'o': if (card && card.getAttribute('data-thread')) { openThread(card.getAttribute('data-thread')); } break;
      case '?': if (help) { help.showModal(); } break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  }

  // --- fast hands: the last reason, bulk reject, tabs -------------------------------------
  // The last reason comes from the server (the person's latest rejection in the audit log, else
  // [console] default_reject_reason) and follows their rejections on this page.
  function lastReason() {
    var section = document.getElementById('cards');
    return section ? section.getAttribute('data-last-reason') || '' : '';
  }

  function rememberReason(reason) {
    var section = document.getElementById('cards');
    if (section && reason) { section.setAttribute('data-last-reason', reason); }
  }

  function openRejectWithLastReason(card) {
    var panel = openPanel(card, 'details.reject-panel', 'input[type=radio]');
    if (!panel || panel.querySelector('input[type=radio]:checked')) { return; }
    var radio = panel.querySelector('input[type=radio][value="' + lastReason() + '"]');
    if (radio) { radio.checked = true; radio.focus(); } // Enter now rejects with it
  }

  function prepareBulkReject() {
    // R: the bulk reason is the last one (unless one is chosen) and "Reject selected" takes the
    // focus, so Enter rejects the selection; the reason can still be changed first.
    var select = document.getElementById('bulk-reason');
    var button = document.getElementById('bulk-reject');
    if (!select || !button) { return; }
    if (!select.value) { select.value = lastReason(); }
    button.focus();
  }

  function switchTab(key) {
    var tab = document.querySelector('.tabs a[data-tab-key="' + key + '"]');
    if (tab) { window.location.href = tab.href; }
  }

  function openThread(url) {
    // Beside the queue, in one named window: the queue keeps its place and focus.
    var opened = window.open(url, 'moderation-thread');
    if (!opened) { window.location.href = url; }
  }

  function clickBulkApprove() {
    // A click, not requestSubmit(button): htmx sends the clicked button's name and value.
    var button = document.getElementById('bulk-approve');
    if (button) { button.click(); }
  }

  // After htmx settles a response, focus what the server names (HX-Trigger-After-Settle).
  document.addEventListener('console:decided', function (event) {
    var card = byId('card-' + event.detail.id);
    var next = nextWaiting(card);
    focusCard(next || card);
    updateSelection();
    if (card) { announce(card.getAttribute('data-announce')); }
  });
  document.addEventListener('console:focus', function (event) {
    var card = byId('card-' + event.detail.id);
    focusCard(card);
    updateSelection();
    announce((card && card.getAttribute('data-announce')) || statusText());
  });
  document.addEventListener('console:bulk', function () {
    updateSelection();
    announce(statusText());
    var card = focusedCard();
    if (card && !isWaiting(card)) { focusCard(nextWaiting(card) || card); }
  });
  document.addEventListener('htmx:responseError', function (event) {
    var status = document.getElementById('status');
    var code = event.detail.xhr ? event.detail.xhr.status : 0;
    if (status && code === 401) { signedOut(status); return; }
    if (status) { status.innerHTML = ''; var p = document.createElement('p'); p.className = 'flash error';
      p.textContent = (status.getAttribute('data-error') || 'The action failed') + ' (HTTP ' + code + ')';
      status.appendChild(p); announce(p.textContent); }
  });

  // --- the poll: "N new comments" banner and cards decided by someone else -------------
  function poll(section) {
    var url = section.getAttribute('data-poll-url');
    var ids = cards().filter(isWaiting).map(function (c) { return c.getAttribute('data-id'); });
    var sep = url.indexOf('?') >= 0 ? '&' : '?';
    fetch(url + sep + 'after=' + section.getAttribute('data-last-id') + '&ids=' + ids.join(','),
          { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (!data) { return; }
        updateCounts(data.counts);
        var banner = document.getElementById('new-banner');
        var link = document.getElementById('new-banner-link');
        if (banner && link) {
          if (data.new > 0) { link.textContent = data.new_label; banner.hidden = false; } else { banner.hidden = true; }
        }
        data.cards.forEach(function (state) {
          var card = byId('card-' + state.id);
          if (!card || state.waiting || !isWaiting(card)) { return; }
          card.setAttribute('data-mode', 'stale');
          card.classList.add('mode-stale');
          var line = card.querySelector('.card-state');
          if (line) { line.textContent = state.label; }
          card.querySelectorAll('button, input, select').forEach(function (el) { el.disabled = true; });
          card.querySelectorAll('details').forEach(function (d) { d.open = false; });
        });
        updateSelection();
      })
      .catch(function () { /* offline for a moment: the next poll tries again */ });
  }

  // --- safe hands: a confirmation whose default is Cancel --------------------------------
  // Forms with data-confirm (ban, erase, lock) ask first in the one <dialog>; Cancel has the
  // focus, so Enter (or Escape) cancels. The chosen Confirm sets the form's confirmed field,
  // without which the server asks itself (a confirmation page), so it is safe without JS too.
  var pendingForm = null;

  function onSubmitCapture(event) {
    var form = event.target;
    if (!form.matches || !form.matches('form[data-confirm]')) { return; }
    var flag = form.querySelector('input[data-confirmed]');
    if (flag && flag.value === '1') {
      window.setTimeout(function () { flag.value = ''; }, 0); // one confirmation, one submission
      return;
    }
    var dialog = document.getElementById('confirm-dialog');
    if (!dialog || !flag) { return; } // the server asks instead
    event.preventDefault();
    event.stopImmediatePropagation();
    pendingForm = form;
    dialog.querySelector('.confirm-question').textContent = form.getAttribute('data-confirm');
    dialog.querySelector('[data-confirm-ok]').textContent = form.getAttribute('data-confirm-button') || 'OK';
    dialog.returnValue = '';
    dialog.showModal();
    dialog.querySelector('[data-confirm-cancel]').focus();
  }

  function onConfirmClosed(event) {
    var form = pendingForm;
    pendingForm = null;
    if (!form || event.target.returnValue !== 'confirm') { return; }
    form.querySelector('input[data-confirmed]').value = '1';
    form.requestSubmit();
  }

  function start() {
    document.addEventListener('keydown', onKey);
    document.addEventListener('submit', onSubmitCapture, true);
    var confirmDialog = document.getElementById('confirm-dialog');
    if (confirmDialog) { confirmDialog.addEventListener('close', onConfirmClosed); }
    document.addEventListener('submit', function (event) {
      // A rejection (one card or the selection) makes its reason the next `r`'s reason.
      var form = event.target;
      if (form.matches && form.matches('form.reject')) {
        var checked = form.querySelector('input[type=radio]:checked');
        if (checked) { rememberReason(checked.value); }
      } else if (form.id === 'bulk-form' && event.submitter && event.submitter.value === 'reject') {
        rememberReason(form.querySelector('#bulk-reason').value);
      }
    });
    var label = document.getElementById('selected-count');
    if (label) { label.setAttribute('data-empty', label.textContent); }
    document.querySelectorAll('[data-help]').forEach(function (button) {
      button.addEventListener('click', function () { document.getElementById('help').showModal(); });
    });
    document.addEventListener('change', function (event) {
      if (event.target.matches && event.target.matches('#cards input.select')) { updateSelection(); }
    });
    document.addEventListener('click', function (event) {
      var card = event.target.closest && event.target.closest('#cards .card');
      if (card && card.id !== current) { cards().forEach(function (c) { c.classList.remove('is-focused'); });
        card.classList.add('is-focused'); current = card.id; }
    });
    // No card is focused at first: j focuses the first one, like a mail client (or the first
    // card of a page that j opened, or the card named in the address after signing in again).
    focusAfterLoad();
    var section = document.getElementById('cards');
    if (section && section.getAttribute('data-poll-url')) {
      var every = parseInt(section.getAttribute('data-poll-ms'), 10) || 10000;
      window.setInterval(function () { poll(section); }, every);
    }
  }

  if (document.readyState === 'loading') { document.addEventListener('DOMContentLoaded', start); } else { start(); }
}());
