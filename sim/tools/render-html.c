/* SPDX-License-Identifier: LGPL-2.1 OR BSD-2-Clause */
/*
 * render-html.c - one self-contained HTML page per scenario and profile
 * (reuseport-sim explain --html DIR): the scenario text on the left, the
 * picture of the state after the current step on the right (the SVG of
 * render-dot.c, inline) with its narration below it.
 *
 * Stepping: the arrow keys, j/k, n/p, space, Home and End, or a click on
 * a line.  In a step that ran programs, [ and ] (or the buttons) step
 * through the instructions they executed, each helper call with its
 * registers, result and the map slots it read.  Lines of included files are listed, indented, under their
 * include line.  Nothing is loaded from elsewhere: the styles, the script
 * and the pictures are all in the page, so it works offline.
 *
 * The page opens on the first step whose picture has something in it
 * (a scenario's first steps, `proc` and the like, draw nothing), or on
 * step N when the address ends in "#step=N"; the address follows the
 * stepping, so a step can be linked to.
 *
 * Self-test hook (tests/html.sh): with "test=ACTIONS" in the address's
 * fragment ("#test=..." or "#step=N&test=..."), where ACTIONS is a
 * comma-separated list of key names (ArrowDown, k, End ...) and click:N
 * (click the line of step N), the script performs them on load, through
 * the same handlers a person uses, and then appends <pre id="selftest">
 * step=N line=L frame=fN title=T hidden=H scrolly=Y hash=#step=N arrow=A
 * insn=I
 * </pre> saying what is shown: the current step, its line as
 * highlighted, the frame shown, the <title> of its picture, how many
 * frames are hidden, how far the page itself is scrolled (stepping
 * scrolls only the listing), the address's fragment, where the
 * arrows from outer-map slots to inner maps end: "head" (all at the head
 * cell of the inner map), "row" (one elsewhere) or "none", and the
 * instruction highlighted in the shown step (insn=PC, or none).
 */
#include <string.h>

#include "lang/print.h"
#include "tools/explain.h"
#include "tools/markup.h"
#include "tools/render-html.h"

static const char page_css[] =
    "body{margin:0;font:14px/1.4 sans-serif;color:#222;background:#fafafa}\n"
    "header{padding:8px 16px;background:#2c3e50;color:#fff}\n"
    "header h1{font-size:16px;margin:0}\n"
    "header p{margin:2px 0;font-size:12px;color:#dde}\n"
    "main{display:flex;align-items:flex-start}\n"
    "#src{position:relative;list-style:none;margin:0;padding:8px 0;"
    "width:38%;"
    "max-height:calc(100vh - 70px);overflow:auto;"
    "font:12px/1.5 monospace;border-right:1px solid #ccc}\n"
    "#src li{padding:0 8px;white-space:pre-wrap;color:#777}\n"
    "#src li.step{color:#111;cursor:pointer}\n"
    "#src li.step:hover{background:#eef}\n"
    "#src li.inc{padding-left:28px}\n"
    "#src li.cur{background:#ffd966;outline:1px solid #c0392b}\n"
    "#src .ln{display:inline-block;width:3em;color:#999;"
    "text-align:right;margin-right:8px}\n"
    "#view{flex:1;padding:8px 16px;overflow:auto;"
    "max-height:calc(100vh - 70px)}\n"
    "#status{font-weight:bold;margin-bottom:6px}\n"
    ".frame svg{max-width:100%;height:auto}\n"
    ".frame pre{font:12px/1.4 monospace;background:#fff;"
    "border:1px solid #ddd;padding:8px;white-space:pre-wrap}\n"
    ".prog{margin:6px 0}\n"
    ".prog ol{list-style:none;margin:0;padding:4px 0;max-height:16em;"
    "overflow:auto;font:12px/1.5 monospace;background:#fff;"
    "border:1px solid #ddd}\n"
    ".prog li{padding:0 8px;white-space:pre-wrap}\n"
    ".prog li.pcur{background:#d6eaf8;outline:1px solid #2874a6}\n"
    ".prog .pc{display:inline-block;width:4em;color:#999;"
    "text-align:right;margin-right:8px}\n"
    ".prog .det{display:block;margin-left:4.6em;color:#555}\n";

/* The script: stepping, and the self-test hook of the header comment. */
static const char page_js[] =
    "(function () {\n"
    "  'use strict';\n"
    "  var frames = document.querySelectorAll('.frame');\n"
    "  var lines = document.querySelectorAll('#src li.step');\n"
    "  var n = frames.length, cur = 1;\n"
    "  var view = document.getElementById('view');\n"
    "  var status = document.getElementById('status');\n"
    "  var src = document.getElementById('src');\n"
    "  /* scroll the listing only, never the page */\n"
    "  function reveal(li) {\n"
    "    var top = li.offsetTop;\n"
    "    if (top < src.scrollTop ||\n"
    "        top + li.offsetHeight > src.scrollTop + src.clientHeight)\n"
    "      src.scrollTop = Math.max(0, top - src.clientHeight / 3);\n"
    "  }\n"
    "  function show(k) {\n"
    "    if (k < 1) k = 1;\n"
    "    if (k > n) k = n;\n"
    "    cur = k;\n"
    "    for (var i = 0; i < n; i++)\n"
    "      frames[i].hidden = (i + 1 !== k);\n"
    "    for (var j = 0; j < lines.length; j++) {\n"
    "      var on = Number(lines[j].dataset.step) === k;\n"
    "      lines[j].classList.toggle('cur', on);\n"
    "      if (on) reveal(lines[j]);\n"
    "    }\n"
    "    status.textContent = 'step ' + k + ' of ' + n + ': ' +\n"
    "      frames[k - 1].dataset.title;\n"
    "    /* the address names the step shown */\n"
    "    if (window.location.hash !== '#step=' + k) {\n"
    "      try { history.replaceState(null, '', '#step=' + k); }\n"
    "      catch (e) { window.location.replace('#step=' + k); }\n"
    "    }\n"
    "  }\n"
    "  /* key=value pairs of the fragment: step=N, test=ACTIONS */\n"
    "  function param(name) {\n"
    "    var m = new RegExp('[#&]' + name + '=([^&]*)')\n"
    "      .exec(window.location.hash);\n"
    "    return m ? m[1] : null;\n"
    "  }\n"
    "  function wanted() {\n"
    "    var k = Number(param('step'));\n"
    "    return k >= 1 && k <= n && k === Math.floor(k) ? k : 0;\n"
    "  }\n"
    "  /* where the arrows from outer-map slots to maps end (self-test) */\n"
    "  function pts(el) {\n"
    "    return el.getAttribute('points').trim().split(/\\s+/)\n"
    "      .map(function (p) { return p.split(',').map(Number); });\n"
    "  }\n"
    "  function arrows(frame) {\n"
    "    var res = 'none';\n"
    "    frame.querySelectorAll('g.edge').forEach(function (e) {\n"
    "      var t = e.querySelector('title').textContent;\n"
    "      var m = /^m\\d+:e->(m\\d+)/.exec(t);\n"
    "      var head = e.querySelector('polygon');\n"
    "      if (!m || !head) return;\n"
    "      var node = null;\n"
    "      frame.querySelectorAll('g.node').forEach(function (g) {\n"
    "        if (g.querySelector('title').textContent === m[1]) node = g;\n"
    "      });\n"
    "      var cell = node ? node.querySelector('polygon') : null;\n"
    "      if (!cell) { res = 'row'; return; }\n"
    "      var c = pts(cell), a = pts(head), y = 0;\n"
    "      a.forEach(function (p) { y += p[1] / a.length; });\n"
    "      var lo = Math.min.apply(null, c.map(function (p) { return p[1]; }));\n"
    "      var hi = Math.max.apply(null, c.map(function (p) { return p[1]; }));\n"
    "      if (y < lo || y > hi) res = 'row';\n"
    "      else if (res === 'none') res = 'head';\n"
    "    });\n"
    "    return res;\n"
    "  }\n"
    "  /* the instructions of the shown step's programs: [ and ] */\n"
    "  function insnStep(d) {\n"
    "    var f = frames[cur - 1], rows = f.querySelectorAll('.prog li');\n"
    "    if (rows.length === 0) return;\n"
    "    var k = Number(f.dataset.insn || 0) + d;\n"
    "    if (k < 1) k = 1;\n"
    "    if (k > rows.length) k = rows.length;\n"
    "    f.dataset.insn = k;\n"
    "    for (var i = 0; i < rows.length; i++)\n"
    "      rows[i].classList.toggle('pcur', i + 1 === k);\n"
    "    var ol = rows[k - 1].parentNode;\n"
    "    ol.scrollTop = Math.max(0, rows[k - 1].offsetTop - ol.clientHeight / 3);\n"
    "    f.querySelector('.pnow').textContent = 'instruction ' + k + ' of ' +\n"
    "      rows.length + ' executed: ' + rows[k - 1].dataset.pc;\n"
    "  }\n"
    "  document.querySelectorAll('.pprev').forEach(function (b) {\n"
    "    b.addEventListener('click', function () { insnStep(-1); });\n"
    "  });\n"
    "  document.querySelectorAll('.pnext').forEach(function (b) {\n"
    "    b.addEventListener('click', function () { insnStep(1); });\n"
    "  });\n"
    "  document.addEventListener('keydown', function (e) {\n"
    "    switch (e.key) {\n"
    "    case ']': insnStep(1); break;\n"
    "    case '[': insnStep(-1); break;\n"
    "    case 'ArrowRight': case 'ArrowDown': case 'j': case 'n': case ' ':\n"
    "      show(cur + 1); break;\n"
    "    case 'ArrowLeft': case 'ArrowUp': case 'k': case 'p':\n"
    "      show(cur - 1); break;\n"
    "    case 'Home': show(1); break;\n"
    "    case 'End': show(n); break;\n"
    "    default: return;\n"
    "    }\n"
    "    e.preventDefault();\n"
    "  });\n"
    "  for (var j = 0; j < lines.length; j++)\n"
    "    lines[j].addEventListener('click', function () {\n"
    "      show(Number(this.dataset.step));\n"
    "    });\n"
    "  window.addEventListener('hashchange', function () {\n"
    "    if (wanted() && wanted() !== cur) show(wanted());\n"
    "  });\n"
    "  var actions = param('test');\n"
    "  if (n > 0) show(wanted() || Number(view.dataset.start) || 1);\n"
    "  if (actions === null || n === 0) return;\n"
    "  actions.split(',').forEach(function (a) {\n"
    "    a = decodeURIComponent(a);\n"
    "    if (a.indexOf('click:') === 0) {\n"
    "      var li = document.querySelector('#src li.step[data-step=\"' +\n"
    "        a.slice(6) + '\"]');\n"
    "      if (li) li.click();\n"
    "    } else if (a !== '') {\n"
    "      document.dispatchEvent(new KeyboardEvent('keydown',\n"
    "        {key: a, bubbles: true, cancelable: true}));\n"
    "    }\n"
    "  });\n"
    "  var shown = document.querySelectorAll('.frame:not([hidden])');\n"
    "  var hl = document.querySelectorAll('#src li.cur');\n"
    "  var t = shown.length === 1 ? shown[0].querySelector('svg title') : null;\n"
    "  var r = document.createElement('pre');\n"
    "  r.id = 'selftest';\n"
    "  r.textContent = 'step=' + cur +\n"
    "    ' line=' + (hl.length === 1 ? hl[0].dataset.line : 'none') +\n"
    "    ' frame=' + (shown.length === 1 ? shown[0].id : 'none') +\n"
    "    ' title=' + (t ? t.textContent : 'none') +\n"
    "    ' hidden=' + document.querySelectorAll('.frame[hidden]').length +\n"
    "    ' scrolly=' + Math.round(window.scrollY) +\n"
    "    ' hash=' + window.location.hash +\n"
    "    ' arrow=' + (shown.length === 1 ? arrows(shown[0]) : 'none') +\n"
    "    ' insn=' + (shown.length === 1 &&\n"
    "      shown[0].querySelector('.prog li.pcur') ?\n"
    "      shown[0].querySelector('.prog li.pcur').dataset.pc : 'none');\n"
    "  document.body.appendChild(r);\n"
    "})();\n";

static void
line_item(GString *o, const char *cls, int step, const char *file,
    guint line, const char *text)
{
	g_string_append_printf(o, "<li class=\"%s\"", cls);
	if (step > 0) {
		g_string_append_printf(o, " data-step=\"%d\" data-line=\"",
		    step);
		sim_markup_append(o, file);
		g_string_append_printf(o, ":%u\"", line);
	}
	g_string_append(o, "><span class=\"ln\">");
	if (line > 0)
		g_string_append_printf(o, "%u", line);
	g_string_append(o, "</span>");
	sim_markup_append(o, text);
	g_string_append(o, "</li>\n");
}

/* The listing: the top file's lines, steps clickable, included steps
 * under their include line. */
static void
listing(const SimRecord *rec, GString *o)
{
	const SimScenario *sc = rec->sc;
	const char *top = sc->files->len > 0 ? sc->files->pdata[0] : sc->path;
	g_autofree char *buf = NULL;
	g_auto(GStrv) lines = NULL;
	guint nsteps = rec->steps->len, next = 0, i;
	g_autofree char *topbase = g_path_get_basename(top);

	if (!g_file_get_contents(top, &buf, NULL, NULL))
		buf = g_strdup("");
	lines = g_strsplit(buf, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		const char *l = lines[i];
		const SimStepRec *s = next < nsteps ? rec->steps->pdata[next] :
		    NULL;

		if (lines[i + 1] == NULL && *l == '\0')
			break;
		if (s != NULL && strcmp(s->st->file, top) == 0 &&
		    s->st->line == i + 1) {
			line_item(o, "src step", (int)next + 1, topbase, i + 1,
			    l);
			next++;
			continue;
		}
		line_item(o, "src", 0, NULL, i + 1, l);
		while (*l == ' ' || *l == '\t')
			l++;
		if (!g_str_has_prefix(l, "include"))
			continue;
		/* the statements of files this line includes */
		while (next < nsteps) {
			const SimStepRec *is = rec->steps->pdata[next];
			g_autofree char *b = NULL, *t = NULL, *txt = NULL;

			if (strcmp(is->st->file, top) == 0)
				break;
			b = g_path_get_basename(is->st->file);
			t = sim_stmt_text(is->st, SIM_PRINT_EXPECT);
			txt = g_strdup_printf("%s:%u  %s", b, is->st->line, t);
			line_item(o, "src step inc", (int)next + 1, b,
			    is->st->line, txt);
			next++;
		}
	}
	/* steps the listing did not place (a file that cannot be read or
	 * changed meanwhile): as the parser saw them */
	for (; next < nsteps; next++) {
		const SimStepRec *is = rec->steps->pdata[next];
		g_autofree char *b = g_path_get_basename(is->st->file);
		g_autofree char *t = sim_stmt_text(is->st, SIM_PRINT_EXPECT);
		gboolean in_top = strcmp(is->st->file, top) == 0;

		line_item(o, in_top ? "src step" : "src step inc",
		    (int)next + 1, b, is->st->line, t);
	}
}

/* The first step whose picture draws something (1-based); 1 when none
 * does.  Graphviz gives every node class="node". */
static guint
first_drawn(const SimRecord *rec, char **svgs)
{
	for (guint i = 0; i < rec->steps->len; i++)
		if (svgs[i] != NULL && strstr(svgs[i], "class=\"node\"") != NULL)
			return i + 1;
	return 1;
}

/* The instructions step s's programs executed, to step through with [
 * and ] (or the buttons); nothing when no program ran. */
static void
prog_rows(const SimStepRec *s, SimNames *nm, GString *o)
{
	g_autoptr(GPtrArray) rows = sim_explain_prog_rows(s, nm);

	if (rows->len == 0)
		return;
	g_string_append(o, "<div class=\"prog\"><p><button class=\"pprev\" "
	    "type=\"button\">&#9664; instruction</button> <button "
	    "class=\"pnext\" type=\"button\">instruction &#9654;</button> "
	    "<span class=\"pnow\">the instructions the program executed "
	    "([ and ] step through them)</span></p>\n<ol>\n");
	for (guint i = 0; i < rows->len; i++) {
		const SimProgRow *r = rows->pdata[i];
		g_autofree char *pc = r->pc == G_MAXUINT32 ? g_strdup("...") :
		    g_strdup_printf("%u", r->pc);

		g_string_append_printf(o, "<li data-run=\"%u\" data-pc=\"%s\">"
		    "<span class=\"pc\">%s</span>", r->run, pc, pc);
		sim_markup_append(o, r->text);
		if (r->detail != NULL) {
			g_string_append(o, "<span class=\"det\">");
			sim_markup_append(o, r->detail);
			g_string_append(o, "</span>");
		}
		g_string_append(o, "</li>\n");
	}
	g_string_append(o, "</ol></div>\n");
}

/* The page of rec: svgs[i] and explains[i] belong to step i. */
void
sim_render_html(const SimRecord *rec, char **svgs, char **explains,
    SimNames *nm, GString *o)
{
	const SimScenario *sc = rec->sc;
	g_autofree char *base = g_path_get_basename(sc->path);
	guint start = first_drawn(rec, svgs), i;

	g_string_append(o, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	sim_markup_append(o, base);
	g_string_append_printf(o, " [%s] - reuseport-sim explain</title>\n"
	    "<style>\n%s</style>\n</head>\n<body>\n<header>\n<h1>", rec->profile,
	    page_css);
	sim_markup_append(o, base);
	g_string_append_printf(o, " [%s]</h1>\n", rec->profile);
	if (sc->title != NULL) {
		g_string_append(o, "<p>");
		sim_markup_append(o, sc->title);
		g_string_append(o, "</p>\n");
	}
	g_string_append(o, "<p>Step with the arrow keys, j/k, Home/End, or "
	    "click a line; #step=N in the address opens step N. Highlighted: "
	    "what the step changed. Dashed arrows: owner words.</p>\n"
	    "</header>\n<main>\n<ol id=\"src\">\n");
	listing(rec, o);
	g_string_append_printf(o, "</ol>\n<section id=\"view\" "
	    "data-start=\"%u\">\n<div id=\"status\"></div>\n", start);
	for (i = 0; i < rec->steps->len; i++) {
		const SimStepRec *s = rec->steps->pdata[i];
		g_autofree char *t = sim_stmt_text(s->st, SIM_PRINT_EXPECT);

		g_string_append_printf(o, "<div class=\"frame\" id=\"f%u\" "
		    "data-title=\"", i + 1);
		sim_markup_append(o, t);
		g_string_append(o, " -&gt; ");
		sim_markup_append(o, s->result);
		g_string_append(o, "\"");
		if (i + 1 != start)
			g_string_append(o, " hidden");
		g_string_append(o, ">\n");
		if (svgs[i] != NULL)
			g_string_append(o, svgs[i]);
		prog_rows(s, nm, o);
		g_string_append(o, "<pre class=\"why\">");
		sim_markup_append(o, explains[i]);
		g_string_append(o, "</pre>\n</div>\n");
	}
	g_string_append_printf(o, "</section>\n</main>\n<script>\n%s</script>\n"
	    "</body>\n</html>\n", page_js);
}
