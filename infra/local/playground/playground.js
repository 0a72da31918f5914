import { createApi } from './api.js';
import { decodeItems, downloadVerified, searchItems } from './catalog.js';

const $ = (id) => document.getElementById(id);
const COUNT = 10;
const SAMPLE_VIEWER = 'u1';

const state = { api: undefined, files: undefined, items: [], byId: new Map(), history: [], device: undefined, generation: 0 };

/** The key: from `#key=…` (then dropped from the address bar), else this tab's session storage. */
function readKey() {
  const match = /(?:^|[#&])key=([^&]+)/.exec(location.hash);
  if (match) {
    sessionStorage.setItem('marquee-key', decodeURIComponent(match[1]));
    history.replaceState(null, '', location.pathname + location.search);
  }
  return sessionStorage.getItem('marquee-key') ?? '';
}

/** This tab's viewer id: what "watched" posts events for. */
function viewerId() {
  let id = sessionStorage.getItem('marquee-viewer');
  if (!id) {
    id = `playground-${Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => b.toString(16).padStart(2, '0')).join('')}`;
    sessionStorage.setItem('marquee-viewer', id);
  }
  return id;
}

function say(text) {
  $('message').textContent = text;
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((child) => child !== undefined && child !== null));
  return node;
}

const titleOf = (itemId) => state.byId.get(itemId)?.title ?? itemId;

/** One title as a card: title, year, genres, score, why; a click shows similar titles. */
function card(item, { watch = false } = {}) {
  const meta = state.byId.get(item.itemId) ?? {};
  const genres = item.genres ?? meta.genres ?? [];
  const year = item.year ?? meta.year;
  const because = (item.because ?? []).map((entry) => entry.title ?? titleOf(entry.itemId));
  const node = el(
    'article',
    { className: 'card', tabIndex: 0 },
    el('span', { className: 'title', textContent: item.title ?? meta.title ?? item.itemId }),
    el('span', { className: 'meta', textContent: [year, genres.join(', ')].filter(Boolean).join(' · ') }),
    typeof item.score === 'number' ? el('span', { className: 'score', textContent: `score ${item.score.toFixed(3)}` }) : undefined,
    because.length > 0 ? el('span', { className: 'because', textContent: `because you watched ${because.join(', ')}` }) : undefined,
    watch ? el('button', { type: 'button', className: 'watch', textContent: 'watched' }) : undefined,
  );
  node.dataset.itemId = item.itemId;
  node.addEventListener('click', (event) => {
    if (event.target.classList.contains('watch')) void markWatched(item.itemId);
    else void showSimilar(item.itemId);
  });
  return node;
}

function showCards(container, items, options) {
  container.replaceChildren(...items.map((item) => card(item, options)));
}

function preferences() {
  const out = {};
  if ($('genre').value) out.genre = $('genre').value;
  if ($('actor').value.trim()) out.actor = $('actor').value.trim();
  return out;
}

/** Recommendations for the history and preferences, from the API or from the model on this device. */
async function refresh() {
  const generation = ++state.generation;
  const box = $('recommendations');
  box.dataset.state = 'loading';
  const prefs = preferences();
  const onDevice = $('on-device').checked && state.device;
  try {
    let items;
    if (state.history.length === 0 && Object.keys(prefs).length === 0) {
      $('recs-title').textContent = 'Recommendations (add titles you watched, or a preference)';
      items = (await state.api.get(`/v1/popular?count=${COUNT}`)).items;
    } else if (onDevice) {
      $('recs-title').textContent = `Recommendations — on this device (onnxruntime-web, model ${state.device.version})`;
      items = await state.device.recommend(state.history, prefs, COUNT);
    } else {
      $('recs-title').textContent = 'Recommendations — from the API';
      items = (await state.api.post('/v1/recommendations', { history: state.history, preferences: prefs, count: COUNT, explain: true }))
        .items;
    }
    if (generation !== state.generation) return;
    showCards(box, items, { watch: true });
    box.dataset.mode = onDevice ? 'device' : 'api';
    box.dataset.state = 'ready';
    say('');
  } catch (error) {
    if (generation !== state.generation) return;
    box.dataset.state = 'error';
    say(error.message);
  }
}

function renderHistory() {
  $('history').replaceChildren(
    ...state.history.map((itemId) => {
      const remove = el('button', { type: 'button', textContent: '×', title: 'remove' });
      remove.addEventListener('click', () => {
        state.history = state.history.filter((id) => id !== itemId);
        renderHistory();
        void refresh();
      });
      const row = el('li', {}, el('span', { textContent: titleOf(itemId) }), remove);
      row.dataset.itemId = itemId;
      return row;
    }),
  );
}

function addToHistory(itemId) {
  if (!state.history.includes(itemId)) state.history.push(itemId);
  renderHistory();
  void refresh();
}

/** Posts a watch for this tab's viewer, then adds the title to the history: it leaves the list, and the list follows it. */
async function markWatched(itemId) {
  try {
    await state.api.post('/v1/events', { events: [{ userId: $('viewer').textContent, itemId, type: 'watch', value: 1 }] });
    addToHistory(itemId);
  } catch (error) {
    say(error.message);
  }
}

async function showSimilar(itemId) {
  try {
    const { items } = await state.api.get(`/v1/items/${encodeURIComponent(itemId)}/similar?count=6`);
    $('similar-title').hidden = false;
    $('similar-title').textContent = `Similar to ${titleOf(itemId)}`;
    showCards($('similar'), items, { watch: true });
  } catch (error) {
    say(error.message);
  }
}

function renderSearch() {
  const results = searchItems(state.items, $('search').value);
  $('search-results').replaceChildren(
    ...results.map((item) => {
      const add = el('button', { type: 'button', textContent: '+', title: 'add to the history' });
      add.addEventListener('click', () => {
        $('search').value = '';
        $('search-results').replaceChildren();
        addToHistory(item.itemId);
      });
      const row = el('li', {}, el('span', { textContent: `${item.title ?? item.itemId}${item.year ? ` (${item.year})` : ''}` }), add);
      row.dataset.itemId = item.itemId;
      return row;
    }),
  );
}

async function loadModelInfo() {
  const model = await state.api.get('/v1/model');
  const metrics = Object.entries(model.metrics ?? {}).filter(([, value]) => typeof value === 'number');
  $('model-line').textContent =
    `model ${model.version} · trained ${new Date(model.createdAt).toLocaleString()} · ${model.itemCount} titles`;
  $('metrics').replaceChildren(
    ...[
      ['version', model.version],
      ['viewers', model.trainingData?.users],
      ['interactions', model.trainingData?.interactions],
      ...metrics.map(([name, value]) => [name, Number.isInteger(value) ? value : value.toFixed(4)]),
    ].flatMap(([name, value]) => [el('dt', { textContent: name }), el('dd', { textContent: String(value ?? '') })]),
  );
}

/** The served model's files: the catalog for search (items.json, verified), the training chart. */
async function loadFiles() {
  state.files = await state.api.get('/v1/model/files');
  const bytes = await downloadVerified(state.files.files.items, 'items.json');
  state.items = decodeItems(JSON.parse(new TextDecoder().decode(bytes)));
  state.byId = new Map(state.items.map((item) => [item.itemId, item]));
  const genres = [...new Set(state.items.flatMap((item) => item.genres))].sort();
  $('genre').replaceChildren(
    el('option', { value: '', textContent: 'any' }),
    ...genres.map((genre) => el('option', { value: genre, textContent: genre })),
  );
  const chart = $('chart');
  chart.onload = () => (chart.hidden = false);
  chart.src = state.files.chartUrl;
}

async function toggleDevice() {
  const status = $('device-status');
  if ($('on-device').checked && !state.device) {
    status.textContent = 'downloading…';
    try {
      const { loadOnDeviceModel } = await import('./onDevice.js');
      // URLs are short-lived: ask for fresh ones.
      state.files = await state.api.get('/v1/model/files');
      state.device = await loadOnDeviceModel(state.files);
      status.textContent = `${(state.device.bytes / 1024).toFixed(0)} KB, sha256 verified`;
      status.dataset.state = 'ready';
    } catch (error) {
      $('on-device').checked = false;
      status.textContent = '';
      say(`on device: ${error.message}`);
      return;
    }
  }
  await refresh();
}

async function start(key) {
  state.api = createApi(key);
  $('viewer').textContent = viewerId();
  say('');
  try {
    await loadModelInfo();
  } catch (error) {
    say(error.message);
    return;
  }
  const viewer = $('viewer').textContent;
  const [files, popular, sample, past] = await Promise.allSettled([
    loadFiles(),
    state.api.get(`/v1/popular?count=${COUNT}`),
    state.api.get(`/v1/users/${SAMPLE_VIEWER}/recommendations?explain=true&count=6`),
    state.api.get(`/v1/users/${encodeURIComponent(viewer)}/history`),
  ]);
  if (files.status === 'rejected') say(`catalog search needs GET /v1/model/files: ${files.reason.message}`);
  if (popular.status === 'fulfilled') showCards($('popular'), popular.value.items, { watch: true });
  if (sample.status === 'fulfilled') {
    $('sample-title').textContent = `Viewer ${SAMPLE_VIEWER}'s recommendations`;
    showCards($('sample'), sample.value.items);
  }
  if (past.status === 'fulfilled') state.history = [...new Set(past.value.items.map((entry) => entry.itemId).reverse())];
  renderHistory();
  await refresh();
}

$('key-form').addEventListener('submit', (event) => {
  event.preventDefault();
  sessionStorage.setItem('marquee-key', $('key').value.trim());
  void start($('key').value.trim());
});
$('search').addEventListener('input', renderSearch);
$('genre').addEventListener('change', () => void refresh());
$('actor').addEventListener('change', () => void refresh());
$('on-device').addEventListener('change', () => void toggleDevice());

const key = readKey();
$('key').value = key;
if (key) void start(key);
else say('Enter the API key (npx marquee key), or open this page as /#key=<key>.');
