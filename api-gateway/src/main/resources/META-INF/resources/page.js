// The operator page: plain JS against the gateway's REST API (/api/v1) and its event stream (/api/v1/events).
// The role decides which buttons exist; the gateway checks every request all the same.
'use strict';

const REFRESH_MS = 5000;
const STREAM_RETRY_MS = 30000;
const TIMELINE_MAX = 300;
const RANK = {viewer: 1, operator: 2, admin: 3};

const state = {
  token: null,
  role: null,
  refreshTimer: null,
  stream: null,       // the AbortController of the open stream
  streamLive: false,
  cursor: null,       // the last event id, for Last-Event-ID
  nodes: new Map(),   // name -> what the timeline last said of it
  databases: null,    // "ns/name" -> {node, phase}; null before the first read
  commands: new Map(), // command id -> {label, state}: the page's own commands, followed while there is no stream
};

const $ = id => document.getElementById(id);

// Builds an element; strings become text nodes, so nothing the API says is ever parsed as HTML.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'onclick') e.addEventListener('click', v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c !== null && c !== undefined) e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// The role is read from the token's "groups" claim, highest wins. Decoding is not checking: the gateway does that.
function roleOf(token) {
  try {
    const payload = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const claims = JSON.parse(atob(payload.padEnd(Math.ceil(payload.length / 4) * 4, '=')));
    const groups = Array.isArray(claims.groups) ? claims.groups : [];
    const role = groups.filter(g => RANK[g]).sort((a, b) => RANK[b] - RANK[a])[0] || null;
    const who = claims.upn || claims.preferred_username || claims.sub || 'unknown';
    return {role, who};
  } catch (e) {
    return {role: null, who: null};
  }
}

const may = role => state.role !== null && RANK[state.role] >= RANK[role];

function say(text) {
  $('message').textContent = text;
  $('message').hidden = !text;
}

async function api(method, path, body) {
  const headers = {Authorization: 'Bearer ' + state.token, Accept: 'application/json'};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {method, headers, body: body === undefined ? undefined : JSON.stringify(body)});
  const text = await response.text();
  let json = null;
  try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
  if (response.status === 401) {
    signOut('The gateway refused the token (401): paste a valid one.');
  }
  return {status: response.status, json};
}

const problem = r => (r.json && (r.json.detail || r.json.title)) || 'HTTP ' + r.status;

// ---- sign-in ----

function signIn(token) {
  const {role, who} = roleOf(token);
  if (!role) {
    say('That token names none of the roles viewer, operator or admin in its "groups" claim.');
    return;
  }
  state.token = token;
  state.role = role;
  sessionStorage.setItem('pgwarden.token', token);
  $('token').value = '';
  $('sign-in').hidden = true;
  $('who').textContent = who + ' (' + role + ')';
  $('who').dataset.role = role;
  $('who').hidden = false;
  $('sign-out').hidden = false;
  $('views').hidden = false;
  $('schedule').hidden = !may('admin');
  say('');
  refresh();
  state.refreshTimer = setInterval(refresh, REFRESH_MS);
  openStream();
}

function signOut(why) {
  sessionStorage.removeItem('pgwarden.token');
  clearInterval(state.refreshTimer);
  if (state.stream) state.stream.abort();
  Object.assign(state, {token: null, role: null, stream: null, streamLive: false, cursor: null, databases: null});
  state.nodes.clear();
  state.commands.clear();
  for (const id of ['nodes', 'databases', 'timeline', 'incidents', 'backups', 'failover-switch']) {
    $(id).replaceChildren();
  }
  $('views').hidden = true;
  $('sign-in').hidden = false;
  $('who').hidden = true;
  $('sign-out').hidden = true;
  $('freshness').textContent = '';
  say(why || '');
}

// ---- the timeline ----

// Newest first, in the events' own time: a status read late still lands where it happened.
function timeline(text, at) {
  const when = at ? new Date(at) : new Date();
  const list = $('timeline');
  const item = el('li', {}, el('time', {datetime: when.toISOString()}, when.toLocaleTimeString()), text);
  const later = [...list.children].find(li => new Date(li.firstChild.getAttribute('datetime')) <= when);
  list.insertBefore(item, later || null);
  while (list.children.length > TIMELINE_MAX) list.lastChild.remove();
  return item;
}

// Without the stream the timeline is what changed between two reads of the views.
function noteNodeChanges(nodes) {
  for (const n of nodes) {
    const now = [n.ready, n.liveness, n.cordoned ? 'cordoned' : 'schedulable', n.fenced ? 'fenced' : null,
      n.powerState ? 'power ' + n.powerState : null].filter(Boolean).join(', ');
    const before = state.nodes.get(n.name);
    if (before !== undefined && before !== now) timeline('node ' + n.name + ': ' + now);
    state.nodes.set(n.name, now);
  }
}

function noteDatabaseChanges(clusters) {
  const seen = new Map(clusters.map(c => [c.namespace + '/' + c.name, {node: c.node, phase: c.phase}]));
  if (state.databases !== null) {
    for (const [db, now] of seen) {
      const before = state.databases.get(db);
      if (!before) timeline(db + ': managed, ' + now.phase + (now.node ? ' on ' + now.node : ''));
      else if (before.node !== now.node && now.node) timeline(db + ': now runs on ' + now.node + ' (' + now.phase + ')');
      else if (before.phase !== now.phase) timeline(db + ': ' + now.phase);
    }
    for (const db of state.databases.keys()) {
      if (!seen.has(db)) timeline(db + ': no longer managed');
    }
  }
  state.databases = seen;
}

async function followCommands() {
  for (const [id, c] of state.commands) {
    const r = await api('GET', '/api/v1/commands/' + encodeURIComponent(id));
    if (r.status !== 200 || !r.json) continue;
    const s = r.json;
    const said = s.state + (s.step ? ' ' + s.step : '') + (s.reason ? ': ' + s.reason : '');
    if (said !== c.said) {
      c.said = said;
      timeline(c.label + ' ' + said, s.updatedAt);
    }
    if (['SUCCEEDED', 'FAILED', 'REJECTED'].includes(s.state)) state.commands.delete(id);
  }
}

// ---- the event stream ----
// EventSource cannot send an Authorization header, so the stream is read with fetch() and parsed here
// (the format: https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation).

async function openStream() {
  const controller = new AbortController();
  state.stream = controller;
  const headers = {Authorization: 'Bearer ' + state.token, Accept: 'text/event-stream'};
  if (state.cursor) headers['Last-Event-ID'] = state.cursor;
  let retry = STREAM_RETRY_MS;
  try {
    const response = await fetch('/api/v1/events', {headers, signal: controller.signal});
    if (!response.ok || !response.body) {
      streamState(false, 'no live stream (HTTP ' + response.status + '): the views refresh every '
          + REFRESH_MS / 1000 + ' s');
      if (response.status === 401 || response.status === 403) return;
    } else {
      streamState(true, 'live');
      await readEvents(response.body.getReader());
      retry = 1000;
      streamState(false, 'stream closed: reconnecting');
    }
  } catch (e) {
    if (controller.signal.aborted) return;
    streamState(false, 'stream lost: the views refresh every ' + REFRESH_MS / 1000 + ' s');
    retry = 2000;
  }
  if (state.stream === controller) setTimeout(() => { if (state.stream === controller) openStream(); }, retry);
}

function streamState(live, text) {
  state.streamLive = live;
  $('stream-state').textContent = '(' + text + ')';
  $('stream-state').dataset.live = live;
}

async function readEvents(reader) {
  const decoder = new TextDecoder();
  let buffer = '';
  let event = {};
  for (;;) {
    const {value, done} = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, {stream: true});
    let end;
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(buffer[end] === '\r' && buffer[end + 1] === '\n' ? end + 2 : end + 1);
      if (line === '') {
        if (event.data !== undefined) dispatch(event);
        event = {};
      } else if (!line.startsWith(':')) { // ": heartbeat" and other comments
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'data') event.data = event.data === undefined ? value : event.data + '\n' + value;
        else if (field === 'event') event.type = value;
        else if (field === 'id') event.id = value;
      }
    }
  }
}

let refreshSoon = null;

function dispatch(event) {
  if (event.id) state.cursor = event.id;
  let e;
  try { e = JSON.parse(event.data); } catch (x) { return; }
  const d = e.data || {};
  if (event.type === 'activity') {
    timeline((d.subject || e.subject || '') + ': ' + (d.detail || d.action), e.time);
  } else if (event.type === 'command-status') {
    const kind = (d.commandType || 'command').replace(/^.*\./, ''); // io.pgwarden.MoveDatabase -> MoveDatabase
    timeline(kind + ' ' + (d.subject || '') + ' ' + d.state + (d.step ? ' ' + d.step : '')
        + (d.reason ? ': ' + d.reason : '') + (d.requestedBy ? ' (by ' + d.requestedBy + ')' : ''), e.time);
  } else if (event.type === 'gap') {
    // The resume's cursor pointed at events the broker no longer keeps (retention); the views are reread below.
    timeline(e.missed + ' events of ' + e.topic + ' were gone from the broker when the stream resumed;'
        + ' the views were reread');
  } else if (event.type === 'health') {
    // node-watcher republishes every node each minute: only a change is worth a line.
    noteNodeChanges([{name: d.node, ready: d.readiness, liveness: d.liveness, cordoned: d.unschedulable,
      fenced: (d.taints || []).some(t => t.startsWith('node.kubernetes.io/out-of-service')),
      powerState: d.powerState}]);
  }
  clearTimeout(refreshSoon);
  refreshSoon = setTimeout(refresh, 300);
}

// ---- the views ----

let refreshing = false;

async function refresh() {
  if (!state.token || refreshing) return;
  refreshing = true;
  try {
    const [nodes, clusters, incidents, schedules] = await Promise.all([
      api('GET', '/api/v1/nodes'), api('GET', '/api/v1/clusters'), api('GET', '/api/v1/incidents?limit=10'),
      api('GET', '/api/v1/backup-schedules')]);
    if (!state.token) return;
    const problems = [nodes, clusters, incidents, schedules].filter(r => r.status !== 200).map(problem);
    if (nodes.status === 200 && !nodes.json.complete) {
      problems.push('The gateway is still reading node health: some nodes may be missing.');
    }
    const dbs = clusters.status === 200 ? clusters.json.clusters : [];
    const backups = (await Promise.all(dbs.map(c => api('GET',
        '/api/v1/clusters/' + encodeURIComponent(c.namespace) + '/' + encodeURIComponent(c.name)
        + '/backups?limit=30'))))
        .flatMap(r => r.status === 200 ? r.json.items : (problems.push(problem(r)), []));
    if (!state.token) return;
    if (nodes.status === 200) {
      if (!state.streamLive) noteNodeChanges(nodes.json.nodes);
      renderNodes(nodes.json);
    }
    if (clusters.status === 200) {
      noteDatabaseChanges(dbs);
      renderDatabases(dbs, backups, nodes.status === 200 ? nodes.json.nodes : []);
    }
    if (incidents.status === 200) renderIncidents(incidents.json.items);
    renderBackups(backups);
    if (schedules.status === 200) renderSchedules(schedules.json.items);
    renderAdmin(dbs);
    if (!state.streamLive) await followCommands();
    $('freshness').textContent = 'read ' + new Date().toLocaleTimeString();
    say([...new Set(problems)].join(' · '));
  } catch (e) {
    say('The gateway did not answer: ' + e.message);
  } finally {
    refreshing = false;
  }
}

const yes = (b, cls) => b ? el('span', {class: cls}, 'yes') : el('span', {class: 'muted'}, 'no');
const ago = ms => ms === null || ms === undefined ? '–' : ms < 1000 ? ms + ' ms' : (ms / 1000).toFixed(1) + ' s';
const time = t => t ? new Date(t).toLocaleString() : '–';

function renderNodes(answer) {
  const rows = answer.nodes.map(n => {
    const leaseAge = n.leaseAgeMillis === null ? null
        : n.leaseAgeMillis + Math.max(0, Date.now() - Date.parse(n.observedAt));
    const actions = [];
    if (may('operator')) {
      actions.push(n.cordoned
          ? button('uncordon', 'uncordon ' + n.name, 'POST', nodePath(n.name, 'uncordon'))
          : button('cordon', 'cordon ' + n.name, 'POST', nodePath(n.name, 'cordon'), {}));
    }
    if (may('admin') && n.fenced) {
      actions.push(button('unfence', 'unfence ' + n.name, 'POST', nodePath(n.name, 'unfence'), {},
          'Unfence node ' + n.name + '? Only when you know it is really off or repaired: its volumes were released'
          + ' to other nodes.'));
    }
    return el('tr', {'data-node': n.name},
        el('td', {}, n.name),
        el('td', {}, el('span', {class: n.ready === 'READY' ? 'good' : 'bad'}, n.ready)),
        el('td', {}, ago(leaseAge)),
        el('td', {title: n.livenessReason || ''},
            el('span', {class: n.liveness === 'ALIVE' ? 'good' : 'bad'}, n.liveness)),
        el('td', {}, yes(n.cordoned, 'warn')),
        el('td', {}, yes(n.fenced, 'bad')),
        el('td', {}, n.powerState || '–'),
        el('td', {}, n.incident || ''),
        el('td', {}, actions));
  });
  $('nodes').replaceChildren(...rows);
}

function renderDatabases(dbs, backups, nodes) {
  const rows = dbs.map(c => {
    const db = c.namespace + '/' + c.name;
    const last = backups.find(b => b.namespace === c.namespace && b.cluster === c.name); // newest first
    const path = clusterPath(c);
    const actions = [];
    if (may('operator')) {
      if (c.phase === 'stopped') {
        actions.push(button('start', 'start ' + db, 'POST', path + '/start', {}));
      } else {
        actions.push(button('move', 'move ' + db, 'POST', path + '/failover', {},
            'Move ' + db + ' off ' + (c.node || 'its node') + ' to another schedulable node? It stops for the move.'));
        actions.push(button('stop', 'stop ' + db, 'POST', path + '/stop', {},
            'Stop ' + db + '? It stays down until someone starts it.'));
      }
      if (c.movedFrom) actions.push(button('failback', 'failback ' + db, 'POST', path + '/failback', {}));
      actions.push(button('backup', 'backup ' + db, 'POST', path + '/backups', {}));
    }
    const op = c.operation;
    return el('tr', {'data-db': db},
        el('td', {}, db),
        el('td', {class: 'node'}, c.node || '–'),
        el('td', {class: 'phase', title: c.detail || ''}, c.phase + (c.detail ? ': ' + c.detail : '')),
        el('td', {}, op ? op.kind + ' since ' + new Date(op.since).toLocaleTimeString() : ''),
        el('td', {}, last ? last.phase + ' ' + time(last.completedAt || last.startedAt) : 'none'),
        el('td', {class: 'wrap'}, last ? last.verification : ''),
        el('td', {}, actions));
  });
  $('databases').replaceChildren(...rows);
}

function renderIncidents(incidents) {
  const items = incidents.map(i => {
    const phases = i.timeline || [];
    const slowest = Math.max(0, ...phases.map(p => p.durationMillis));
    return el('div', {class: 'incident', 'data-incident': i.id},
        el('div', {}, el('strong', {}, 'node ' + i.node), ' · ', i.state, ' · ', i.phase, ' · began ',
            time(i.startedAt), i.endedAt ? ' · ended ' + time(i.endedAt) : '',
            (i.databases || []).length ? ' · ' + i.databases.join(', ') : '',
            i.outcome ? el('div', {class: 'muted'}, i.outcome) : i.step ? el('div', {class: 'muted'}, i.step) : null),
        el('div', {class: 'phases'}, phases.map(p => {
          const bar = el('div', {class: 'bar' + (p.durationMillis === slowest && slowest > 0 ? ' slowest' : ''),
            title: p.phase + ' ' + ago(p.durationMillis)}, p.phase + ' ' + ago(p.durationMillis));
          bar.style.flexGrow = Math.max(1, p.durationMillis); // through the CSSOM: the CSP forbids style attributes
          return bar;
        })));
  });
  $('incidents').replaceChildren(...(items.length ? items : [el('p', {class: 'muted'}, 'No incidents.')]));
}

function renderBackups(backups) {
  const rows = backups.slice().sort((a, b) => (b.startedAt || '').localeCompare(a.startedAt || '')).slice(0, 30)
      .map(b => {
        const db = b.namespace + '/' + b.cluster;
        const actions = [];
        if (may('operator') && b.phase === 'completed') {
          actions.push(button('verify', 'verify ' + b.id, 'POST', '/api/v1/backups/' + encodeURIComponent(b.id)
              + '/verify', {}));
        }
        if (may('admin')) {
          if (b.phase === 'completed') {
            actions.push(button('restore', 'restore ' + db + ' from ' + b.id, 'POST',
                clusterPath({namespace: b.namespace, name: b.cluster}) + '/restore',
                {backupId: b.id, reason: 'restored from the operator page'},
                'Restore ' + db + ' from backup ' + b.id + '? Everything written since is replaced (undo puts it back).'));
          }
          actions.push(button('delete-backup', 'delete backup ' + b.id, 'DELETE',
              '/api/v1/backups/' + encodeURIComponent(b.id), undefined, 'Delete backup ' + b.id + ' and its snapshots?'));
        }
        return el('tr', {'data-backup': b.id},
            el('td', {}, b.id), el('td', {}, db), el('td', {}, b.method + ' / ' + b.driver),
            el('td', {title: b.error || ''}, b.phase), el('td', {}, time(b.startedAt)),
            el('td', {}, b.sizeBytes === null ? '–' : (b.sizeBytes / 1048576).toFixed(1) + ' MiB'),
            el('td', {class: 'wrap'}, b.verification), el('td', {}, actions));
      });
  $('backups').replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', {colspan: 8, class: 'muted'}, 'No backups.'))]));
}

function renderSchedules(schedules) {
  const rows = schedules.map(s => {
    const last = s.lastSlot;
    return el('tr', {'data-schedule': s.namespace + '/' + s.cluster},
        el('td', {}, s.namespace + '/' + s.cluster), el('td', {}, s.cron + ' (' + s.zone + ')'),
        el('td', {}, s.method || 'the database\'s'),
        el('td', {}, [s.keepLast ? 'last ' + s.keepLast : '', s.maxAge ? 'max ' + s.maxAge : ''].filter(x => x)
            .join(', ')),
        el('td', {title: last && last.reason || ''}, last ? time(last.slot) + ' ' + last.outcome
            + (last.backupId ? ' → ' + last.backupId : '') : 'none yet'),
        el('td', {}, s.nextSlot ? time(s.nextSlot) : '–'));
  });
  $('schedules').replaceChildren(...(rows.length ? rows
      : [el('tr', {}, el('td', {colspan: 6, class: 'muted'}, 'No schedules.'))]));
}

function renderAdmin(dbs) {
  if (!may('admin')) return;
  $('failover-switch').replaceChildren('Automatic failover: ',
      button('pause', 'pause failover', 'POST', '/api/v1/failover/pause', {},
          'Pause automatic failover everywhere? No node incident is acted on until it is resumed.'),
      button('resume', 'resume failover', 'POST', '/api/v1/failover/resume', {}));
  const select = $('schedule-db');
  const chosen = select.value;
  select.replaceChildren(...dbs.map(c => el('option', {}, c.namespace + '/' + c.name)));
  if (chosen) select.value = chosen;
}

// ---- commands ----

const nodePath = (name, action) => '/api/v1/nodes/' + encodeURIComponent(name) + '/' + action;
const clusterPath = c => '/api/v1/clusters/' + encodeURIComponent(c.namespace) + '/' + encodeURIComponent(c.name);

// A command button; data-action names it for tests and for reading the DOM.
function button(action, label, method, path, body, confirmation) {
  return el('button', {type: 'button', 'data-action': action,
    onclick: () => command(label, method, path, body, confirmation)}, action);
}

async function command(label, method, path, body, confirmation) {
  if (confirmation && !window.confirm(confirmation)) return;
  const r = await api(method, path, body);
  if (r.status === 202 && r.json && r.json.id) {
    const item = timeline(label + ': submitted as ' + r.json.id);
    state.commands.set(r.json.id, {label, said: null});
    if (label.startsWith('restore ')) addUndo(item, r.json.id, label);
    refresh();
  } else if (r.status !== 401) {
    timeline(label + ' refused: ' + problem(r));
    say(label + ' refused: ' + problem(r));
  }
}

function addUndo(item, restoreId, label) {
  item.append(' ', button('undo', 'undo of ' + label, 'POST', '/api/v1/restores/' + encodeURIComponent(restoreId)
      + '/undo', {}, 'Undo this restore and put back the volumes it replaced?'));
}

function scheduleCommand(event, remove) {
  event.preventDefault();
  const [namespace, name] = $('schedule-db').value.split('/');
  if (!name) return;
  const path = clusterPath({namespace, name}) + '/backup-schedule';
  if (remove) {
    command('delete schedule of ' + namespace + '/' + name, 'DELETE', path, undefined,
        'Delete the backup schedule of ' + namespace + '/' + name + '?');
  } else {
    command('schedule of ' + namespace + '/' + name, 'PUT', path, {cron: $('schedule-cron').value,
      method: $('schedule-method').value, keepLast: Number($('schedule-keep').value)});
  }
}

document.addEventListener('DOMContentLoaded', () => {
  $('sign-in').addEventListener('submit', e => {
    e.preventDefault();
    const token = $('token').value.trim();
    if (token) signIn(token);
  });
  $('sign-out').addEventListener('click', () => signOut());
  $('schedule').addEventListener('submit', e => scheduleCommand(e, false));
  $('schedule').querySelector('[data-action="schedule-delete"]').addEventListener('click', e => scheduleCommand(e, true));
  const kept = sessionStorage.getItem('pgwarden.token');
  if (kept) signIn(kept);
});
