/* The plan reader (dashboard/reader.py): a part of a plan's text fetched once and
   kept; the sentences that places quote marked, a click on one selecting its place;
   a place selected elsewhere shown in the text; a section chosen as the map's filter.
   Dash's tabs draw only the open tab, so the pane is drawn again from what is kept. */
window.reader = (function () {
  const ID = window.atlasIds;
  const loaded = {};  // version/lang/part -> the part's text (a promise)
  let shown = null;  // the section the reader shows
  let revealed = null;  // the place last shown in the text
  let read = null;  // the section the map is filtered to (view.read)
  let opening = 0;  // a later open wins over an earlier one still loading

  function pane() { return document.querySelector('.reader'); }
  function text() { return document.querySelector('.reader .reader-text'); }
  function entry(sid) {
    return sid ? document.querySelector('.reader-toc button[data-sid="' + CSS.escape(sid) + '"]') : null;
  }
  function words() { return JSON.parse(pane().dataset.words); }
  function set(id, props) { window.dash_clientside.set_props(id, props); }

  function load(part) {
    const p = pane();
    const key = [p.dataset.version, p.dataset.lang, part].join('/');
    if (!loaded[key]) {
      loaded[key] = fetch('/plan-text/' + key + '.json').then(function (r) {
        if (!r.ok) { throw new Error('plan text: ' + r.status); }
        return r.json();
      });
      loaded[key].catch(function () { delete loaded[key]; });  // tried again on the next open
    }
    return loaded[key];
  }

  // The pane is drawn when its tab opens: wait for it.
  function mounted() {
    return new Promise(function (resolve) {
      (function check(n) {
        if (text()) { resolve(true); }
        else if (n < 200) { requestAnimationFrame(function () { check(n + 1); }); }
        else { resolve(false); }
      })(0);
    });
  }

  function render(data) {
    const article = text();
    const say = words();
    article.textContent = '';
    article.dataset.part = String(data.part);
    article.marks = data.marks;
    data.sections.forEach(function (s) {
      const section = document.createElement('section');
      section.dataset.sid = s.id;
      section.className = 'l' + s.level;
      s.blocks.forEach(function (block) {
        const el = document.createElement(block.h ? 'h4' : 'p');
        block.p.forEach(function (piece) {
          if (typeof piece === 'string') { el.appendChild(document.createTextNode(piece)); return; }
          const mark = document.createElement('mark');
          const about = data.marks[piece[1]];
          mark.textContent = piece[0];
          mark.dataset.m = String(piece[1]);
          mark.title = about.title;
          mark.className = about.ids.length ? 'q-place' : 'q-other';
          el.appendChild(mark);
        });
        section.appendChild(el);
      });
      const note = document.createElement('div');
      note.className = 'reader-note';
      note.textContent = s.n ? say.places.replace('{n}', s.n) : say.none;
      const head = section.querySelector('h4');
      section.insertBefore(note, head ? head.nextSibling : section.firstChild);
      article.appendChild(section);
    });
  }

  function scrollTo(article, el, middle) {
    const top = el.getBoundingClientRect().top - article.getBoundingClientRect().top + article.scrollTop;
    article.scrollTop = middle ? top - article.clientHeight / 2 : top - 4;
  }

  // Words searched for, marked in the section.
  function highlight(section, find) {
    const needle = find.toLowerCase();
    const walker = document.createTreeWalker(section, NodeFilter.SHOW_TEXT);
    const nodes = [];
    while (walker.nextNode()) { nodes.push(walker.currentNode); }
    nodes.forEach(function (node) {
      let at = node.data.toLowerCase().indexOf(needle);
      while (at >= 0) {
        const hit = node.splitText(at);
        node = hit.splitText(needle.length);
        const mark = document.createElement('mark');
        mark.className = 'hit';
        hit.parentNode.replaceChild(mark, hit);
        mark.appendChild(hit);
        at = node.data.toLowerCase().indexOf(needle);
      }
    });
    return section.querySelector('mark.hit');
  }

  // Show a section (its part fetched once); `how.mark`: a mark in it to show, `how.words` to find.
  async function open(sid, how) {
    const button = entry(sid);
    if (!button) { return false; }
    const ticket = ++opening;
    const data = await load(button.dataset.part);
    const article = text();
    if (ticket !== opening || !article) { return false; }
    if (article.dataset.part !== String(data.part)) { render(data); }
    shown = sid;
    document.querySelectorAll('.reader-toc button.current').forEach(function (b) { b.classList.remove('current'); });
    button.classList.add('current');
    const contents = button.closest('.reader-toc');  // the entry in view, the page itself unmoved
    if (button.offsetTop < contents.scrollTop || button.offsetTop > contents.scrollTop + contents.clientHeight - 30) {
      contents.scrollTop = button.offsetTop - contents.clientHeight / 3;
    }
    const show = pane().querySelector('.reader-show');
    show.disabled = false;
    const section = article.querySelector('section[data-sid="' + CSS.escape(sid) + '"]');
    let target = section;
    article.querySelectorAll('mark.current').forEach(function (m) { m.classList.remove('current'); });
    if (how && how.mark !== undefined) {
      target = section.querySelector('mark[data-m="' + how.mark + '"]') || section;
      target.classList.add('current');
    } else if (how && how.words) {
      target = highlight(section, how.words) || section;
    }
    scrollTo(article, target, target !== section);
    article.dataset.shown = sid;
    return true;
  }

  // What the map is filtered to, said beside the button that lifts it.
  function sayFilter() {
    const out = pane() && pane().querySelector('.reader-filter');
    if (!out) { return; }
    out.textContent = '';
    const button = entry(read);
    if (!button) { return; }
    const say = words();
    const n = Number(button.dataset.n || 0);
    out.appendChild(document.createTextNode(
      (n ? say.showing : say.showing_none).replace('{section}', button.title).replace('{n}', n) + ' '));
    const all = document.createElement('button');
    all.className = 'reader-all';
    all.textContent = say.all;
    out.appendChild(all);
  }

  function choose(mark) {
    const marks = text().marks || [];
    const about = marks[Number(mark.dataset.m)];
    if (!about || !about.ids.length) { return; }
    text().querySelectorAll('mark.current').forEach(function (m) { m.classList.remove('current'); });
    mark.classList.add('current');
    // The page selects one place: words that several quote select the next of them at each click.
    revealed = about.ids[(about.ids.indexOf(revealed) + 1) % about.ids.length];  // (in view: not scrolled to)
    set(ID.selected, {data: revealed});
  }

  // The map and table show this section's places alone; the plan control follows
  // when it hides them.
  function filterTo(sid) {
    const button = entry(sid);
    if (!button) { return; }
    const plan = document.querySelector('#' + ID.plan + ' input:checked');
    if (plan && plan.value !== button.dataset.plan && plan.value !== 'both') {
      set(ID.plan, {value: button.dataset.plan});
    }
    set(ID.read, {value: sid});
  }

  document.addEventListener('click', function (event) {
    const target = event.target;
    if (!target || !target.closest || !target.closest('.reader')) { return; }
    const go = target.closest('.reader-toc button[data-sid], .reader-hits button[data-sid]');
    const mark = target.closest('.reader-text mark[data-m]');
    if (go) { open(go.dataset.sid, {words: go.dataset.words}); }
    else if (mark) { choose(mark); }
    else if (target.closest('.reader-show')) { filterTo(shown); }
    else if (target.closest('.reader-all')) { set(ID.read, {value: null}); }
  });

  return {
    // view.read changed (or the page opened on it): say so, and show the section.
    filter: async function (sid) {
      read = sid || null;
      if (!(await mounted())) { return false; }
      sayFilter();
      if (read && read !== shown) { await open(read); }
      return true;
    },
    // The reader open: drawn again as it was, and the selected place's quote shown.
    reveal: async function (selected, index) {
      if (!(await mounted())) { return false; }
      sayFilter();
      const at = selected && index && index[selected];
      if (at && selected !== revealed) {
        revealed = selected;
        return (await open(at[1], {mark: at[2]})) ? selected : false;
      }
      if (shown && text().dataset.shown !== shown) { await open(shown); }
      return false;
    },
  };
})();

window.dash_clientside = Object.assign({}, window.dash_clientside, {reader: {
  filter: async function (sid) {
    await window.reader.filter(sid);
    return sid || '';
  },
  reveal: async function (selected, tab, index) {
    if (tab !== 'reader') { return window.dash_clientside.no_update; }
    const shown = await window.reader.reveal(selected, index);
    return shown || window.dash_clientside.no_update;
  },
}});
