package detail

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/muesli/termenv"

	"github.com/initwatch/initwatch/keymap"
	"github.com/initwatch/initwatch/model"
	"github.com/initwatch/initwatch/themes"
)

// TestDetailPaneContent checks what each pane says for the fixtures, at a
// width where nothing is cut: kubectl describe's grouping and words, the
// extras (phase, kind, will-not-retry, signal names), and the order rows
// come in.
func TestDetailPaneContent(t *testing.T) {
	tests := []struct {
		scenario string
		pane     Pane
		want     []string // in this order
		notWant  []string
	}{
		{
			scenario: "seed-crashloop", pane: PaneInit,
			want: []string{
				"1 of 4 complete · now: 2/4 init-check-services (crash-looping)",
				"restartPolicy: Always — failed init containers restart, with back-off",
				"Timeline  from 11:55:50 (pod start)",
				"  1/4 init-fetch-files  succeeded · init · took 1s",
				"  Image:          loftsh/app-init:FLiBwNW",
				"  Image ID:       docker.io/loftsh/app-init@sha256:e46e2c2f0a0d",
				"  State:          Terminated\n    Reason:       Completed\n    Exit Code:    0\n" +
					"    Started:      Sun, 01 Mar 2026 11:55:51 +0000 (4m9s ago)\n" +
					"    Finished:     Sun, 01 Mar 2026 11:55:52 +0000 (4m8s ago)\n" +
					"  Ready:          True\n  Restart Count:  0",
				"▶ 2/4 init-check-services  crash-looping · init · last run took 1s",
				"  State:          Waiting\n    Reason:       CrashLoopBackOff\n" +
					"    Message:      back-off 2m40s restarting failed container=init-check-services",
				"  Last State:     Terminated\n    Reason:       Error\n    Exit Code:    1\n" +
					"    Started:      Sun, 01 Mar 2026 11:58:30 +0000 (90s ago)\n" +
					"    Finished:     Sun, 01 Mar 2026 11:58:31 +0000 (89s ago)\n" +
					"  Ready:          False\n  Restart Count:  5",
				"  3/4 init-check-database  waiting · init",
				"  4/4 init-check-cache  waiting · init",
			},
			notWant: []string{"will not retry", "Image (status)"},
		},
		{
			scenario: "seed-crashloop", pane: PaneConditions,
			want: []string{
				"TYPE                       STATUS  REASON                    MESSAGE",
				"PodScheduled               True",
				"PodReadyToStartContainers  True",
				"Initialized                False   ContainersNotInitialized  containers with",
				"ContainersReady            False   ContainersNotReady",
				"Ready                      False   ContainersNotReady",
			},
		},
		{
			scenario: "seed-crashloop", pane: PaneEvents,
			want: []string{
				"TYPE     REASON     AGE                   FROM               MESSAGE",
				"Warning  BackOff    20s (x12 over 3m50s)  kubelet            spec.initContainers{init-check-services}: Back-off",
				"Normal   Pulled     91s (x6 over 4m8s)    kubelet",
				"Normal   Started    4m9s                  kubelet            spec.initContainers{init-fetch-files}: Started",
				"Normal   Scheduled  4m12s                 default-scheduler  Successfully assigned",
			},
			notWant: []string{"another pod"},
		},
		{
			scenario: "seed-crashloop", pane: PaneHistory,
			want: []string{
				"Pending → Init:0/4 → Init:1/4 → Init:Error → Init:CrashLoopBackOff → Init:Error → Init:CrashLoopBackOff",
				"STATUS                 SINCE     AGO        FOR",
				"Pending                11:55:48  4m12s ago  2s",
				"Init:Error             11:55:53  4m7s ago   12s",
				"Init:CrashLoopBackOff  11:56:05  3m55s ago  2m26s",
				"Init:CrashLoopBackOff  11:58:45  75s ago    75s (current)",
			},
		},
		{
			scenario: "seed-crashloop", pane: PaneResources,
			want: []string{
				"RESOURCE        INIT   APP    OVERHEAD  EFFECTIVE  SET BY",
				"cpu request     100m   50m    -         100m       init",
				"memory request  64Mi   256Mi  -         256Mi      app",
				"• init containers set the cpu request: 100m > 50m (app)",
				"• app containers set the memory request: 256Mi > 64Mi (init)",
				"init-check-cache     init  100m     200m     64Mi     128Mi",
				"app                  app   50m      500m     256Mi    512Mi",
			},
		},
		{
			scenario: "seed-crashloop", pane: PaneLogs,
			want: []string{
				"Container: init-check-services (init container 2 of 4, crash-looping)",
				"Run:       current run",
				"kubectl logs -n default k8s-init-containers-64f984c8d7-tdjrg -c init-check-services",
			},
		},
		{
			scenario: "seed-running", pane: PaneInit,
			want: []string{
				"4 of 4 complete · initialized",
				"  1/4 init-fetch-files  succeeded · init · took 1s",
				"  Last State:     Terminated\n    Reason:       Error\n    Exit Code:    1",
				"  Restart Count:  1",
			},
			notWant: []string{"▶"},
		},
		{
			scenario: "seed-running", pane: PaneHistory,
			want: []string{"Init:3/4 → PodInitializing → Running", "Running          12:00:00  0s ago   0s (current)"},
		},
		{
			scenario: "seed-running", pane: PaneLogs,
			want: []string{"Container: app (app container)"},
		},
		{
			scenario: "never", pane: PaneInit,
			want: []string{
				"restartPolicy: Never — a failed init container fails the pod",
				"▶ 1/1 init-schema  failed · init · took 10s",
				"  ✗ will not retry (restartPolicy: Never)",
				"  State:          Terminated\n    Reason:       Error\n" +
					"    Message:      ERROR: Validate failed: Migrations have failed validation\n    Exit Code:    1",
			},
		},
		{
			scenario: "sidecar", pane: PaneInit,
			want: []string{
				"1 of 2 complete · now: 2/2 init-migrate (running)",
				"  1/2 log-shipper  started, ready · sidecar (restartPolicy: Always), startup probe · running for 20s",
				"  State:          Running\n    Started:      Sun, 01 Mar 2026 11:59:40 +0000 (20s ago)\n  Ready:          True",
				"▶ 2/2 init-migrate  running · init · running for 5s",
			},
		},
		{
			scenario: "sidecar", pane: PaneEvents,
			want: []string{"<none>"},
		},
		{
			scenario: "sidecar", pane: PaneHistory,
			want: []string{"No STATUS change recorded yet", "Current STATUS: Init:1/2"},
		},
		{
			scenario: "resources", pane: PaneResources,
			want: []string{
				"cpu request     250m  800m   50m       850m       app",
				"cpu limit       1     1      50m       1050m      tie",
				"memory request  1Gi   448Mi  32Mi      1056Mi     init",
				"memory limit    -     -      -         -          -",
				"• app containers set the cpu request: 800m > 250m (init), plus overhead 50m = 850m",
				"• init and app containers tie on the cpu limit: 1, plus overhead 50m = 1050m",
				"• init containers set the memory request: 1Gi > 448Mi (app), plus overhead 32Mi = 1056Mi",
				"• no container sets a memory limit",
				"init-migrate  init     250m     1        1Gi      -",
				"proxy         sidecar  100m     -        64Mi     -",
				"worker        app      200m     400m     128Mi    -",
			},
		},
		{
			scenario: "resources", pane: PaneConditions,
			want: []string{"No conditions reported yet."},
		},
		{
			scenario: "resources", pane: PaneInit,
			want: []string{
				"restartPolicy: Always (default)",
				"  2/2 proxy  waiting · sidecar (restartPolicy: Always), startup probe",
			},
		},
		{
			scenario: "no-init", pane: PaneInit,
			want:    []string{"This pod has no init containers.", "restartPolicy: Always"},
			notWant: []string{"Timeline", "complete"},
		},
		{
			scenario: "no-init", pane: PaneLogs,
			want: []string{"Container: main (app container)", "kubectl logs -n default crashloop -c main"},
		},
		{
			scenario: "hostile", pane: PaneInit,
			want: []string{
				"now: 1/2 init-wipe (crash-looping)",
				"    Message:      back-off 20s  restarting 🚀 failed container",
				"  Last State:     Terminated\n    Reason:       OOMKilled\n" +
					"    Message:      killed: 内存不足 (out of memory) fake prompt $ ␍\n" +
					"                  carriage return above    and a tab\n" +
					"    Exit Code:    137 (128+9, SIGKILL)\n    Signal:       9 (SIGKILL)",
				"  2/2 init-数据库-检查  waiting · init",
			},
			notWant: []string{"\x1b", "\a", "\t", "\r", "pwned", "52;c"},
		},
		{
			scenario: "hostile", pane: PaneConditions,
			want:    []string{"ContainersNotInitialized", "containers with incomplete status: [init-wipe init-数据库-检查]    with a tab", "and a second line"},
			notWant: []string{"\x1b", "\t"},
		},
		{
			scenario: "hostile", pane: PaneEvents,
			want:    []string{"Warning  BackOff  10s (x9 over 5m)  kubelet  spec.initContainers{init-wipe}: Back-off restarting  failed container 容器 in pod    with tab"},
			notWant: []string{"\x1b", "\a", "\t"},
		},
		{
			scenario: "hostile", pane: PaneHistory,
			want:    []string{"Pending → Init:OOMKilled"},
			notWant: []string{"\x1b"},
		},
	}
	detailProfile(t, termenv.Ascii)
	for _, tt := range tests {
		t.Run(tt.scenario+"/"+tt.pane.String(), func(t *testing.T) {
			d := newTestDetail(t, tt.scenario, themes.Dark(), 200, 40)
			got := detailPlain(d, tt.pane)
			at := 0
			for _, w := range tt.want {
				i := strings.Index(got[at:], w)
				if i < 0 {
					if strings.Contains(got, w) {
						t.Errorf("%q is out of order in:\n%s", w, got)
					} else {
						t.Errorf("missing %q in:\n%s", w, got)
					}
					continue
				}
				at += i + len(w)
			}
			for _, nw := range tt.notWant {
				// Raw, not stripped: escape sequences must not be there.
				if raw := strings.Join(d.content[tt.pane], "\n"); strings.Contains(raw, nw) {
					t.Errorf("%q must not appear in:\n%s", nw, got)
				}
			}
		})
	}
}

// TestDetailTitle checks the title line: kubectl's columns, and what gives
// way when the window narrows (node, age, ..., then the name, STATUS last).
func TestDetailTitle(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	tests := []struct {
		scenario string
		width    int
		want     string
	}{
		{"seed-crashloop", 200, "default/k8s-init-containers-64f984c8d7-tdjrg  Init:CrashLoopBackOff  ready 0/1  restarts 5 (89s ago)  age 4m12s  node kind-worker"},
		{"seed-crashloop", 100, "default/k8s-init-containers-64f984c8d7-tdjrg  Init:CrashLoopBackOff  ready 0/1  restarts 5 (89s ago)"},
		{"seed-crashloop", 40, "default/k8s-init…  Init:CrashLoopBackOff"},
		{"seed-crashloop", 20, "default/k8s…  Init:…"},
		{"hostile", 200, "prod-red/payments-api-with-an-extremely-long-generated-name-7d9f8c6b5a-x2x9z-数据库  Init:CrashLoopBackOff  ready 0/1  restarts 2 (30s ago)  age 10m  node node--1"},
		{"seed-running", 120, "default/k8s-init-containers-64f984c8d7-tdjrg  Running  ready 1/1  restarts 0  age 46s  node kind-worker"},
	}
	for _, tt := range tests {
		d := newTestDetail(t, tt.scenario, themes.Dark(), tt.width, 10)
		if got := ansi.Strip(d.title); got != tt.want {
			t.Errorf("%s at %d:\n got %q\nwant %q", tt.scenario, tt.width, got, tt.want)
		}
	}
}

// TestDetailTimelineBar checks the geometry of a timeline bar: a span from
// a to b covers the cells of [a, b) on the axis, at least one cell, later
// spans drawn over earlier ones, open spans to the end of the axis.
func TestDetailTimelineBar(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	th := themes.Mono() // shapes, not colours, tell phases apart
	d := Model{theme: th}
	g := th.Glyphs
	origin := detailNow.Add(-10 * time.Second)
	at := func(s float64) time.Time { return origin.Add(time.Duration(s * float64(time.Second))) }
	tests := []struct {
		name  string
		spans []detailSpan
		want  string
	}{
		{"first fifth", []detailSpan{{from: at(0), to: at(2), glyph: g.Succeeded}}, "██        "},
		{"second half", []detailSpan{{from: at(5), to: at(10), glyph: g.Running}}, "     ▶▶▶▶▶"},
		{"instant is one cell", []detailSpan{{from: at(3), to: at(3.01), glyph: g.Failed}}, "   ✗      "},
		{"partial cells round outwards", []detailSpan{{from: at(1.5), to: at(3.2), glyph: g.Succeeded}}, " ███      "},
		{"open runs to the end", []detailSpan{{from: at(8), to: at(9), glyph: g.Sidecar, open: true}}, "        ◆◆"},
		{"later wins", []detailSpan{
			{from: at(2), to: at(10), glyph: g.Waiting},
			{from: at(0), to: at(3), glyph: g.Failed},
		}, "✗✗✗·······"},
		{"beyond the axis is clamped", []detailSpan{{from: at(-5), to: at(20), glyph: g.Running}}, "▶▶▶▶▶▶▶▶▶▶"},
		{"nothing", nil, "          "},
	}
	for _, tt := range tests {
		if got := d.bar(tt.spans, origin, 10*time.Second, 10); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestDetailTimelineRows checks the timeline of the fixtures at widths
// where a cell is a round number of seconds: bars on one axis, the crash
// looping step as last run then back-off, sidecars open to the end, the
// retried step's failed run before its successful one.
func TestDetailTimelineRows(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	sp := strings.Repeat
	tests := []struct {
		scenario string
		width    int
		want     []string
	}{
		{"seed-crashloop", 152, []string{
			// Axis 11:55:50 (pod start) → 12:00:00 (now) = 250s on 125
			// cells, 2s a cell. init-fetch-files ran 1s→2s; the last run of
			// init-check-services 160s→161s, then back-off until now.
			" init-fetch-files    █" + sp(" ", 124) + " 1s",
			" init-check-services " + sp(" ", 80) + "✗" + sp("·", 44) + " 1s ↻5",
			" init-check-database " + sp(" ", 125) + " -",
			sp(" ", 21) + "0s" + sp(" ", 118) + "4m10s",
		}},
		{"never", 120, []string{
			// The pod failed: the axis ends with the last run, not now.
			" init-schema " + sp("✗", 103) + " 10s",
		}},
		{"sidecar", 120, []string{
			// 20s on 98 cells; the sidecar is open to the end of the axis,
			// init-migrate started at 15s.
			" log-shipper  " + sp("◆", 98) + " running",
			" init-migrate " + sp(" ", 73) + sp("▶", 25) + " 5s",
		}},
	}
	for _, tt := range tests {
		d := newTestDetail(t, tt.scenario, themes.Mono(), tt.width, 40)
		got := detailPlain(d, PaneInit)
		for _, w := range tt.want {
			if !strings.Contains(got, w+"\n") {
				t.Errorf("%s: missing\n%q\nin\n%s", tt.scenario, w, got)
			}
		}
	}
	d := newTestDetail(t, "seed-running", themes.Mono(), 120, 40)
	if got := detailPlain(d, PaneInit); !regexp.MustCompile(`\n init-fetch-files +✗+ +█+ +1s ↻1\n`).MatchString(got) {
		t.Errorf("seed-running: init-fetch-files must show its failed run, then its successful one:\n%s", got)
	}
}

// TestDetailTable checks the table layout rules on their own: natural
// widths, the message column wrapping, then moving under the row, spill
// columns leaving the row, and cells cut as a last resort.
func TestDetailTable(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	th := themes.Dark()
	cols := []detailColumn{{title: "NAME"}, {title: "WHEN", spill: true}, {title: "MESSAGE", wrap: true}}
	rows := [][]detailCell{
		{{text: "alpha"}, {text: "5s ago"}, {text: "the quick brown fox jumps over the lazy dog"}},
		{{text: "b"}, {text: "-"}, {text: ""}},
	}
	tests := []struct {
		width int
		want  string
	}{
		{80, "NAME   WHEN    MESSAGE\nalpha  5s ago  the quick brown fox jumps over the lazy dog\nb      -"},
		{40, "NAME   WHEN    MESSAGE\nalpha  5s ago  the quick brown fox jumps\n               over the lazy dog\nb      -"},
		{30, "NAME   WHEN\nalpha  5s ago\n    the quick brown fox jumps\n    over the lazy dog\nb      -"},
		// Too narrow to indent what goes under the row.
		{10, "NAME\nalpha\nwhen: 5s\nago\nthe quick\nbrown fox\njumps over\nthe lazy\ndog\nb"},
	}
	for _, tt := range tests {
		got := ansi.Strip(strings.Join(detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, tt.width), "\n"))
		if got != tt.want {
			t.Errorf("width %d:\n got %q\nwant %q", tt.width, got, tt.want)
		}
	}
	for w := 1; w <= 12; w++ {
		for i, l := range detailTable(th.Base, th.ColumnHeader, th.Muted, cols, rows, w) {
			if lw := ansi.StringWidth(l); lw > w {
				t.Errorf("width %d: line %d is %d wide: %q", w, i, lw, l)
			}
		}
	}
}

// TestDetailText checks cutting and wrapping with wide characters.
func TestDetailText(t *testing.T) {
	tests := []struct {
		s    string
		w    int
		fit  string
		wrap []string
	}{
		{"hello", 10, "hello", []string{"hello"}},
		{"hello world", 8, "hello w…", []string{"hello", "world"}},
		{"数据库检查", 5, "数据…", []string{"数据", "库检", "查"}},
		{"a\nb", 5, "a\nb", []string{"a", "b"}},
		{"x", 0, "", nil},
	}
	for _, tt := range tests {
		if got := detailFit(tt.s, tt.w); got != tt.fit && !strings.Contains(tt.s, "\n") {
			t.Errorf("detailFit(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.fit)
		}
		got := detailWrap(tt.s, tt.w)
		if strings.Join(got, "|") != strings.Join(tt.wrap, "|") {
			t.Errorf("detailWrap(%q, %d) = %q, want %q", tt.s, tt.w, got, tt.wrap)
		}
		for _, l := range got {
			if ansi.StringWidth(l) > tt.w {
				t.Errorf("detailWrap(%q, %d): line %q too wide", tt.s, tt.w, l)
			}
		}
	}
	for w := 1; w <= 4; w++ {
		for _, l := range detailWrap("数据库 检查 a", w) {
			if ansi.StringWidth(l) > w {
				t.Errorf("detailWrap(wide, %d): line %q too wide", w, l)
			}
		}
	}
	if got := detailClean("a\tb\x1b[31mc"); got != "a    bc" {
		t.Errorf("detailClean = %q", got)
	}
	if got := detailCleanLines("one\r\ntwo\t2\n\n"); strings.Join(got, "|") != "one␍|two    2" {
		t.Errorf("detailCleanLines = %q", got)
	}
	if got := detailExitCode(137); got != "137 (128+9, SIGKILL)" {
		t.Errorf("detailExitCode(137) = %q", got)
	}
	if got := detailExitCode(1); got != "1" {
		t.Errorf("detailExitCode(1) = %q", got)
	}
	if got := detailSignal(77); got != "77" {
		t.Errorf("detailSignal(77) = %q", got)
	}
	for _, tt := range []struct {
		spec, status string
		differs      bool
	}{
		{"busybox:1.36", "docker.io/library/busybox:1.36", false},
		{"busybox", "docker.io/library/busybox:latest", false},
		{"loftsh/app-init:FLiBwNW", "docker.io/loftsh/app-init:FLiBwNW", false},
		{"busybox:1.37", "docker.io/library/busybox:1.36", true},
		{"registry.example.com:5000/app", "registry.example.com:5000/app:latest", false},
	} {
		if got := detailImageDiffers(tt.spec, tt.status); got != tt.differs {
			t.Errorf("detailImageDiffers(%q, %q) = %v", tt.spec, tt.status, got)
		}
	}
}

// TestDetailResourceSentence checks the one-line explanations, for every
// side that can set a figure.
func TestDetailResourceSentence(t *testing.T) {
	tests := []struct {
		f    model.ResourceFigure
		want string
	}{
		{model.ResourceFigure{Init: "1Gi", App: "256Mi", Effective: "1Gi", Dominant: model.SideInit},
			"init containers set the memory request: 1Gi > 256Mi (app)"},
		{model.ResourceFigure{Init: "1Gi", Effective: "1Gi", Dominant: model.SideInit},
			"init containers set the memory request: 1Gi > none (app)"},
		{model.ResourceFigure{Init: "64Mi", App: "256Mi", Effective: "256Mi", Dominant: model.SideApp},
			"app containers set the memory request: 256Mi > 64Mi (init)"},
		{model.ResourceFigure{Init: "256Mi", App: "256Mi", Effective: "256Mi", Dominant: model.SideTie},
			"init and app containers tie on the memory request: 256Mi"},
		{model.ResourceFigure{Init: "1Gi", App: "256Mi", Effective: "2Gi", Dominant: model.SidePod},
			"pod-level resources (spec.resources) set the memory request: 2Gi"},
		{model.ResourceFigure{Init: "1Gi", App: "256Mi", Overhead: "32Mi", Effective: "1056Mi", Dominant: model.SideInit},
			"init containers set the memory request: 1Gi > 256Mi (app), plus overhead 32Mi = 1056Mi"},
		{model.ResourceFigure{}, "no container sets a memory request"},
	}
	for _, tt := range tests {
		if got := detailResourceSentence("memory request", tt.f); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.f, got, tt.want)
		}
	}
}

// TestDetailImageEdited checks that a step whose spec image was edited
// after its run says which image ran (the seed: an image change is used on
// the next run, not applied in place).
func TestDetailImageEdited(t *testing.T) {
	detailProfile(t, termenv.Ascii)
	pod, events, history := loadDetailScenario(t, "seed-crashloop")
	pod = pod.DeepCopy()
	pod.Spec.InitContainers[1].Image = "loftsh/app-init:fixed"
	d := New(themes.Dark(), keymap.Default(), detailClockFixed).SetSize(200, 40).SetPod(pod, events, history)
	got := detailPlain(d, PaneInit)
	want := "  Image:          loftsh/app-init:fixed\n  Image (status): docker.io/loftsh/app-init:FLiBwNW (spec edited: next run uses Image)"
	if !strings.Contains(got, want) {
		t.Errorf("missing %q in\n%s", want, got)
	}
}
