package podlist

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	corev1 "k8s.io/api/core/v1"

	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
	"github.com/initwatch/initwatch/tui/internal/tuitest"
)

// expectedRow is a fixture's row as kubectl prints it, from the comment
// written above the pod in its file.
type expectedRow struct {
	file                         string
	ready, status, restarts, age string
}

var expectedRE = regexp.MustCompile(`^# (?:kubectl v1\.37: )?READY (\S+)\s+STATUS (.+?)\s{2,}RESTARTS (.+?)\s{2,}AGE (\S+)$`)

// expectedRows reads the expectation comments of a fixture file, one per
// YAML document, in order.
func expectedRows(t *testing.T, path string) []expectedRow {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []expectedRow
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := expectedRE.FindStringSubmatch(sc.Text()); m != nil {
			out = append(out, expectedRow{file: path, ready: m[1], status: m[2], restarts: m[3], age: m[4]})
		}
	}
	return out
}

// podRowRE splits a pod row drawn wide enough for every column.
var podRowRE = regexp.MustCompile(`^(\S+)\s{2,}(\S+)\s{2,}(\S+)\s{2,}(.+?)\s{2,}(.+?)\s{2,}(\S+)(?:\s{2,}(\S+)\s+(\d+/\d+)(?:\s+(\S+))?)?\s*$`)

// TestRowsShowPrintedColumns checks, for every pod fixture, that its row
// carries kubectl's READY, STATUS, RESTARTS and AGE, and an INIT bar of one
// cell per init container followed by N/M and the step holding things up.
func TestRowsShowPrintedColumns(t *testing.T) {
	tuitest.WithProfile(t, themes.Mono())
	type tc struct {
		name string
		pod  *corev1.Pod
		want expectedRow
	}
	var cases []tc
	seedDir := tuitest.Testdata("pods")
	files, err := filepath.Glob(filepath.Join(seedDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures in %s: %v", seedDir, err)
	}
	files = append(files, tuitest.Testdata("tui", "cluster.yaml"))
	for _, f := range files {
		pods, want := tuitest.LoadDocs(t, f), expectedRows(t, f)
		if len(pods) != len(want) {
			t.Fatalf("%s: %d pods but %d expectation comments", f, len(pods), len(want))
		}
		for i := range pods {
			cases = append(cases, tc{name: filepath.Base(f) + "/" + pods[i].Name, pod: pods[i], want: want[i]})
		}
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := newTestList(t, themes.Mono(), 220, 8, []*corev1.Pod{c.pod})
			lines := strings.Split(ansi.Strip(a.View()), "\n")
			row := lines[1]
			m := podRowRE.FindStringSubmatch(row)
			if m == nil {
				t.Fatalf("row does not parse: %q", row)
			}
			got := expectedRow{file: c.want.file, ready: m[3], status: m[4], restarts: m[5], age: m[6]}
			if got != c.want {
				t.Errorf("row %q\n got  %+v\n want %+v", row, got, c.want)
			}
			if m[1] != c.pod.Namespace || m[2] != c.pod.Name {
				t.Errorf("row names %s/%s, want %s/%s", m[1], m[2], c.pod.Namespace, c.pod.Name)
			}
			v := model.NewPodView(c.pod, tuitest.Now)
			if v.Progress.Total == 0 {
				if m[7] != "" {
					t.Errorf("pod without init containers has an INIT column %q", m[7])
				}
				return
			}
			if cells := len([]rune(m[7])); cells != min(v.Progress.Total, maxBarCells) {
				t.Errorf("bar %q has %d cells for %d init containers", m[7], cells, v.Progress.Total)
			}
			if want := fraction(v.Progress); m[8] != want {
				t.Errorf("INIT says %q, want %q", m[8], want)
			}
			wantStep := ""
			if !v.Progress.Initialized && v.Progress.Active >= 0 {
				wantStep = v.Progress.ActiveName
			}
			if m[9] != wantStep {
				t.Errorf("active step %q, want %q", m[9], wantStep)
			}
			// Segments follow the steps' phases, in spec order.
			g := themes.Mono().Glyphs
			glyph := map[stepClass]string{classSucceeded: g.Succeeded, classRunning: g.Running,
				classFailed: g.Failed, classWaiting: g.Waiting, classSidecar: g.Sidecar}
			var want strings.Builder
			for _, cl := range barCells(v.Steps, maxBarCells, nil) {
				want.WriteString(glyph[cl])
			}
			if m[7] != want.String() {
				t.Errorf("bar %q, want %q", m[7], want.String())
			}
		})
	}
}

func TestBarCellsFollowStepPhases(t *testing.T) {
	step := func(p model.StepPhase) model.InitStep { return model.InitStep{Phase: p} }
	cases := []struct {
		name  string
		steps []model.InitStep
		n     int
		want  []stepClass
	}{
		{"one per step", []model.InitStep{step(model.PhaseSucceeded), step(model.PhaseRunning), step(model.PhaseWaiting)}, 12,
			[]stepClass{classSucceeded, classRunning, classWaiting}},
		{"sidecars and failures", []model.InitStep{step(model.PhaseSidecarReady), step(model.PhaseSidecarStarted),
			step(model.PhaseCrashLooping), step(model.PhaseFailed)}, 12,
			[]stepClass{classSidecar, classSidecar, classFailed, classFailed}},
		{"grouped: the worst step of a group shows", []model.InitStep{step(model.PhaseSucceeded), step(model.PhaseFailed),
			step(model.PhaseSucceeded), step(model.PhaseSucceeded), step(model.PhaseRunning), step(model.PhaseWaiting)}, 3,
			[]stepClass{classFailed, classSucceeded, classRunning}},
		{"no steps", nil, 12, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := barCells(c.steps, c.n, nil); !slices.Equal(got, c.want) {
				t.Errorf("got %v, want %v", got, c.want)
			}
		})
	}
}

func TestNavigation10kPods(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	a := newTestList(t, themes.Dark(), 120, 30, tuitest.SyntheticPods(10_000, 7))
	rows := a.list.height
	if rows != 26 {
		t.Fatalf("list rows = %d, want 26 on a 30-line screen", rows)
	}
	cases := []struct {
		keys           []string
		cursor, offset int
	}{
		{[]string{"j"}, 1, 0},
		{[]string{"j", "j", "k"}, 2, 0},
		{[]string{"<pgdown>"}, 27, 2},
		{[]string{"<pgup>"}, 2, 2},
		{[]string{"G"}, 9999, 9999 - 25},
		{[]string{"k"}, 9998, 9999 - 25},
		{[]string{"g"}, 0, 0},
		{[]string{"k"}, 0, 0},
		{[]string{"<end>", "<home>", "<down>"}, 1, 0},
	}
	for _, c := range cases {
		a = press(a, c.keys...)
		if a.list.cursor != c.cursor || a.list.offset != c.offset {
			t.Fatalf("after %v: cursor %d offset %d, want %d %d", c.keys, a.list.cursor, a.list.offset, c.cursor, c.offset)
		}
		tuitest.AssertFits(t, a.View(), 120, 30)
	}
	// The mouse wheel scrolls the view; the cursor stays on screen.
	a = step(a, tea.MouseMsg{Button: tea.MouseButtonWheelDown, Action: tea.MouseActionPress})
	if a.list.offset != 3 || a.list.cursor != 3 {
		t.Fatalf("after wheel down: cursor %d offset %d, want 3 3", a.list.cursor, a.list.offset)
	}
	a = step(a, tea.MouseMsg{Button: tea.MouseButtonWheelUp, Action: tea.MouseActionPress})
	if a.list.offset != 0 || a.list.cursor != 3 {
		t.Fatalf("after wheel up: cursor %d offset %d, want 3 0", a.list.cursor, a.list.offset)
	}
	// A click selects the row under the pointer (1 title line).
	a = step(a, tea.MouseMsg{Button: tea.MouseButtonLeft, Action: tea.MouseActionPress, Y: 1 + 5})
	if a.list.cursor != 5 {
		t.Fatalf("click on the 6th row: cursor %d", a.list.cursor)
	}
	// The screen shows exactly the rows from the offset on.
	lines := strings.Split(ansi.Strip(a.View()), "\n")
	for i := 0; i < rows; i++ {
		e := a.list.rows[a.list.offset+i].pod
		if !strings.Contains(lines[1+i], e.name) {
			t.Fatalf("screen line %d %q does not show row %d (%s)", 2+i, lines[1+i], a.list.offset+i, e.name)
		}
	}
}

// TestCursorKeepsItsPod: when pods move (a status change re-sorts them),
// the cursor stays on its pod, on the same screen line.
func TestCursorKeepsItsPod(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	pods := tuitest.ClusterPods(t)
	a := newTestList(t, themes.Dark(), 120, 30, pods)
	a = press(a, "j", "j", "j", "j", "j")
	sel, line := selected(a), a.list.cursor-a.list.offset
	// The ready api pod starts failing: it jumps to the top of the triage order.
	var ready *corev1.Pod
	for _, p := range pods {
		if p.Name == "api-7c9d8f6b5-q8wz1" {
			ready = p.DeepCopy()
		}
	}
	ready.ResourceVersion = "2"
	ready.Status.Phase = corev1.PodFailed
	ready.Status.Reason = "Evicted"
	before := slices.Index(rowKeys(a), "payments/api-7c9d8f6b5-q8wz1")
	a = step(a, batchAt{Batch: kube.Batch{Upserted: []*corev1.Pod{ready}}, At: tuitest.Now})
	after := slices.Index(rowKeys(a), "payments/api-7c9d8f6b5-q8wz1")
	if after >= before {
		t.Fatalf("the evicted pod did not move up: row %d → %d", before, after)
	}
	if got := selected(a); got != sel {
		t.Fatalf("cursor moved from %s to %s", sel, got)
	}
	if got := a.list.cursor - a.list.offset; got != line {
		t.Fatalf("selected pod moved from screen line %d to %d", line, got)
	}
	// Sorting differently keeps it too.
	a = press(a, "s")
	if got := selected(a); got != sel {
		t.Fatalf("after s, cursor on %s, want %s", got, sel)
	}
}

func TestSortKeysCycleAndReverse(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	a := newTestList(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	check := func(key model.SortKey, reverse bool) {
		t.Helper()
		if a.list.order.key != key || a.list.order.reverse != reverse {
			t.Fatalf("order %+v, want %s reverse=%v", a.list.order, key, reverse)
		}
		views := make([]*model.PodView, 0, len(a.list.rows))
		for _, r := range a.list.rows {
			k := entryKey(r.pod)
			v := k.view()
			views = append(views, &v)
		}
		if !slices.IsSortedFunc(views, func(x, y *model.PodView) int {
			c := model.Compare(x, y, key)
			if reverse {
				return -c
			}
			return c
		}) {
			t.Fatalf("rows not in %s order (reverse=%v): %v", key, reverse, rowKeys(a))
		}
	}
	check(model.SortDefault, false)
	for _, k := range model.SortKeys[1:] {
		a = press(a, "s")
		check(k, false)
	}
	a = press(a, "s")
	check(model.SortDefault, false)
	a = press(a, "S")
	check(model.SortDefault, true)
	a = press(a, "s")
	check(model.SortKeys[1], true)
	// Triage: failing first, then initializing, then the rest.
	a = press(a, "S", "s", "s", "s", "s")
	check(model.SortDefault, false)
	last := model.CategoryFailing
	for _, r := range a.list.rows {
		if r.pod.view.Category < last {
			t.Fatalf("category %v after %v", r.pod.view.Category, last)
		}
		last = r.pod.view.Category
	}
}

func TestFilterTyping(t *testing.T) {
	tuitest.WithProfile(t, themes.Dark())
	a := newTestList(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	a = press(a, "/", "kaf")
	if !a.filtering || a.list.query != "kaf" {
		t.Fatalf("filtering=%v query=%q after typing /kaf", a.filtering, a.list.query)
	}
	want := []string{"default/k8s-init-containers-64f984c8d7-tdjrg", "data/kafka-1", "data/kafka-0"}
	if got := rowKeys(a); !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	// Matched characters are highlighted on screen: k, a, f of kafka-1.
	e := a.list.rows[1].pod
	if got := a.list.highlightOf(e); !slices.Equal(got, []int{5, 6, 7}) {
		t.Fatalf("highlight of %s = %v, want [5 6 7]", e.search, got)
	}
	mo := newPaint(themes.Dark().Match)
	if !strings.Contains(a.View(), mo.open+"kaf"+mo.close) {
		t.Fatalf("screen does not show %q highlighted", "kaf")
	}
	// The footer is the line editor.
	if footer, ok := a.Footer(); !ok || !strings.HasPrefix(ansi.Strip(footer), "/kaf") {
		t.Fatalf("footer %q (%v) does not show the filter", ansi.Strip(footer), ok)
	}
	// Letters are text while typing: j and q are part of the query, not a
	// move and not quit.
	a = press(a, "j")
	if a.list.query != "kafj" || !slices.Equal(rowKeys(a), want[:1]) {
		t.Fatalf("query %q rows %v after typing j", a.list.query, rowKeys(a))
	}
	cmd := a.Update(tuitest.Keys("q")[0])
	if cmd != nil || a.list.query != "kafjq" || len(a.list.rows) != 0 {
		t.Fatalf("q while typing: query %q, %d rows, command %v", a.list.query, len(a.list.rows), cmd)
	}
	if !strings.Contains(ansi.Strip(a.View()), "No pod matches /kafjq.") {
		t.Fatal("empty result not explained")
	}
	a = press(a, "<backspace>", "<backspace>")
	if got := rowKeys(a); !slices.Equal(got, want) {
		t.Fatalf("after backspace rows %v, want %v", got, want)
	}
	// Arrows still move the cursor.
	a = press(a, "<down>")
	if selected(a) != "data/kafka-1" {
		t.Fatalf("down while filtering selected %s", selected(a))
	}
	// enter keeps the filter; the list keys work again.
	a = press(a, "<enter>")
	if a.filtering || a.list.query != "kaf" {
		t.Fatalf("after enter filtering=%v query=%q", a.filtering, a.list.query)
	}
	a = press(a, "j")
	if selected(a) != "data/kafka-0" {
		t.Fatalf("j after enter selected %s", selected(a))
	}
	// / again edits the kept query; esc there clears it.
	a = press(a, "/")
	if a.filter.Value() != "kaf" {
		t.Fatalf("reopened filter holds %q", a.filter.Value())
	}
	a = press(a, "<esc>")
	if a.filtering || a.list.query != "" || len(a.list.rows) != len(tuitest.ClusterPods(t)) {
		t.Fatalf("after esc filtering=%v query=%q rows=%d", a.filtering, a.list.query, len(a.list.rows))
	}
	// esc on the list clears a kept filter too.
	a = press(a, "/", "api", "<enter>", "<esc>")
	if a.list.query != "" {
		t.Fatalf("esc on the list left query %q", a.list.query)
	}
}

func TestLabelFilter(t *testing.T) {
	a := newTestList(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	a = press(a, "/", "app=kafka", "<enter>")
	if got, want := rowKeys(a), []string{"data/kafka-1", "data/kafka-0"}; !slices.Equal(got, want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
}

// TestIncrementalFilterAgreesWithFull types queries one character at a
// time on 3,000 pods, with batches arriving between keystrokes, and checks
// after each step that the incremental result is what a search of every pod
// finds.
func TestIncrementalFilterAgreesWithFull(t *testing.T) {
	pods := tuitest.SyntheticPods(3000, 3)
	a := newTestList(t, themes.Dark(), 120, 30, pods[:2500])
	full := func() []string {
		var out []string
		m := newMatcher(a.list.query)
		for _, e := range a.list.sorted {
			if a.list.query == "" || m.entry(e) {
				out = append(out, e.key.Namespace+"/"+e.key.Name)
			}
		}
		return out
	}
	script := []string{"/", "t", "e", "a", "m", "0", "<backspace>", "1", "/", "a", "p", "<backspace>",
		"<backspace>", "<backspace>", "c", "h", "e", "c", "<esc>", "/", "W", "E", "B", "<enter>"}
	next := 2500
	for i, k := range script {
		a = press(a, k)
		if i%4 == 3 && next < len(pods) {
			// New pods arrive and some change while the filter is active.
			batch := append([]*corev1.Pod(nil), pods[next:next+100]...)
			for _, p := range pods[:50] {
				q := p.DeepCopy()
				q.ResourceVersion = "9"
				q.Status.Phase = corev1.PodFailed
				batch = append(batch, q)
			}
			a = step(a, batchAt{Batch: kube.Batch{Upserted: batch}, At: tuitest.Now})
			next += 100
		}
		if got, want := rowKeys(a), full(); !slices.Equal(got, want) {
			t.Fatalf("after key %d (%q, query %q): %d rows, a full search finds %d", i, k, a.list.query, len(got), len(want))
		}
	}
}

// TestMatcherAgreesWithFuzzy: the fast matcher accepts exactly the strings
// sahilm/fuzzy matches.
func TestMatcherAgreesWithFuzzy(t *testing.T) {
	alphabet := []rune("abcABC-/.09xyzÉéß名前🚀")
	gen := func(seed, n int) string {
		x := uint32(seed)
		var b strings.Builder
		for i := 0; i < n; i++ {
			x = x*1103515245 + 12345
			b.WriteRune(alphabet[int(x>>8)%len(alphabet)])
		}
		return b.String()
	}
	var matched, missed int
	for i := 0; i < 4000; i++ {
		s := gen(i, 3+i%25)
		q := gen(i*7+1, 1+i%4)
		if i%3 == 0 {
			// Mostly ASCII, the fast path.
			s, q = strings.ToLower(s[:len(s)/2])+"Web-API-7d9f", strings.ToUpper(q[:1])+"api"
			if !isASCII(s) || !isASCII(q) {
				s, q = "Web-API-7d9f", "wA7"
			}
		}
		m := newMatcher(q)
		e := &podEntry{search: s, searchLower: asciiLower(s)}
		got := m.entry(e)
		want := highlightFor(q, s) != nil
		if got != want {
			t.Fatalf("query %q on %q: matcher %v, sahilm/fuzzy %v", q, s, got, want)
		}
		if got {
			matched++
		} else {
			missed++
		}
	}
	if matched < 500 || missed < 500 {
		t.Fatalf("cases not varied enough: %d matches, %d misses", matched, missed)
	}
}

func highlightFor(q, s string) []int {
	return highlight(q, &podEntry{search: s})
}

func TestToggles(t *testing.T) {
	a := newTestList(t, themes.Dark(), 120, 30, tuitest.ClusterPods(t))
	countCat := func(c model.Category) int {
		n := 0
		for _, e := range a.store.pods {
			if e.view.Category == c {
				n++
			}
		}
		return n
	}
	only := func(cats ...model.Category) {
		t.Helper()
		want := 0
		for _, c := range cats {
			want += countCat(c)
		}
		if len(a.list.rows) != want {
			t.Fatalf("%d rows, want %d", len(a.list.rows), want)
		}
		for _, r := range a.list.rows {
			if !slices.Contains(cats, r.pod.view.Category) {
				t.Fatalf("row %s is %v", r.pod.name, r.pod.view.Category)
			}
		}
	}
	a = press(a, "i")
	only(model.CategoryInitializing)
	a = press(a, "f")
	only(model.CategoryInitializing, model.CategoryFailing)
	a = press(a, "i")
	only(model.CategoryFailing)
	if st := a.Status(); !st.OnlyFailing || st.OnlyInit || st.Matches != 7 {
		t.Fatalf("status %+v, want only failing, 7 pods", st)
	}
	a = press(a, "f")
	if len(a.list.rows) != len(a.store.pods) {
		t.Fatalf("toggles off: %d rows for %d pods", len(a.list.rows), len(a.store.pods))
	}
}

func TestGroupByOwner(t *testing.T) {
	a := newTestList(t, themes.Dark(), 120, 40, tuitest.ClusterPods(t))
	a = press(a, "o")
	// Workload headers count every pod under them, revision headers
	// included; a revision header counts the pods up to the next header.
	var top, sub *ownerGroup
	seen := map[string]bool{}
	var inTop, inSub counts
	checkTop := func() {
		if top != nil && inTop != top.counts {
			t.Fatalf("group %q counts %+v, its rows %+v", top.owner, top.counts, inTop)
		}
	}
	checkSub := func() {
		if sub != nil && inSub != sub.counts {
			t.Fatalf("revision %q counts %+v, its rows %+v", sub.revision, sub.counts, inSub)
		}
	}
	for _, r := range a.list.rows {
		if g := r.group; g != nil {
			checkSub()
			sub, inSub = nil, counts{}
			if seen[g.key] {
				t.Fatalf("group %q %q listed twice", g.owner, g.revision)
			}
			seen[g.key] = true
			if g.sub {
				if top == nil || g.owner != top.owner {
					t.Fatalf("revision %q outside its workload", g.revision)
				}
				sub = g
				continue
			}
			checkTop()
			top, inTop = g, counts{}
			continue
		}
		if top == nil {
			t.Fatal("a pod row before any group header")
		}
		if p := placeOf(r.pod, a.list.owners); p.owner != top.owner {
			t.Fatalf("pod %s (workload %q) under group %q", r.pod.name, p.owner, top.owner)
		}
		inTop.add(r.pod.view.Category, 1)
		inSub.add(r.pod.view.Category, 1)
	}
	checkSub()
	checkTop()
	keys := rowKeys(a)
	if keys[len(keys)-1-countNoOwner(a)] != "#" {
		t.Fatalf("pods without owner are not grouped last: %v", keys)
	}
	// The first group is the rollout in trouble (triage order): the
	// Deployment, resolved from its ReplicaSet's pods, not the ReplicaSet.
	if keys[0] != "#Deployment/k8s-init-containers" {
		t.Fatalf("first group %s", keys[0])
	}
	a = press(a, "g")
	screen := ansi.Strip(a.View())
	for _, want := range []string{
		"▾ Deployment/api  payments  3 pods · 1 failing · 1 initializing · 1 ready",
		"  ◦ api-7c9d8f6b5  3 pods · 1 failing · 1 initializing · 1 ready",
	} {
		if !strings.Contains(screen, want) {
			t.Fatalf("group header %q missing:\n%s", want, screen)
		}
	}
	// enter on a group header opens nothing.
	a = press(a, "g")
	if key, ok := a.Choose(); ok {
		t.Fatalf("a group header chose pod %v to open", key)
	}
	a = press(a, "o")
	if len(a.list.rows) != len(a.store.pods) {
		t.Fatalf("ungrouped: %d rows for %d pods", len(a.list.rows), len(a.store.pods))
	}
}

func countNoOwner(a *Model) int {
	n := 0
	for _, e := range a.store.pods {
		if e.owner == "" {
			n++
		}
	}
	return n
}

// TestResortMatchesFullSort: merging a batch's changes into the sorted list
// gives exactly what sorting everything gives, for small and large batches.
func TestResortMatchesFullSort(t *testing.T) {
	pods := tuitest.SyntheticPods(2000, 11)
	s := newPodStore()
	var l podList
	l.order = sortOrder{key: model.SortDefault}
	l.applyChanges(s.apply(kube.Batch{Upserted: pods[:1500]}, tuitest.Now))
	for round, size := range []int{1, 7, 40, 150, 400} {
		var batch kube.Batch
		for i := 0; i < size; i++ {
			p := pods[(round*131+i*17)%1500].DeepCopy()
			p.ResourceVersion = fmt.Sprint(round + 2)
			if i%3 == 0 {
				p.Status.Phase = corev1.PodFailed
				p.Status.Reason = "Evicted"
			}
			batch.Upserted = append(batch.Upserted, p)
		}
		batch.Upserted = append(batch.Upserted, pods[1500+round*10:1500+round*10+10]...)
		batch.Removed = []kube.PodKey{{Namespace: pods[round].Namespace, Name: pods[round].Name}}
		l.applyChanges(s.apply(batch, tuitest.Now))
		want := make([]*podEntry, 0, len(s.pods))
		for _, e := range s.pods {
			want = append(want, e)
		}
		slices.SortFunc(want, l.order.compare)
		if !slices.Equal(l.sorted, want) {
			t.Fatalf("round %d (%d changes): merged order differs from a full sort", round, size)
		}
	}
}
