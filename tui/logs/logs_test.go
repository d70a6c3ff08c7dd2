package logs

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"github.com/initwatch/initwatch/kube"
)

func logsWant(t *testing.T, got []string, want ...string) {
	t.Helper()
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("body:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func int64Val(p *int64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func TestLogsWaitsForTheContainerThenAttaches(t *testing.T) {
	d := newLogsDriver(t, Options{}, 60, 8)
	pod := logsPod(t)
	d.setPod(pod)
	d.focus()
	if d.src.count() != 0 {
		t.Fatal("a stream was opened for a container that has not started")
	}
	if got := d.view(); !strings.Contains(got, "waiting: PodInitializing") {
		t.Fatalf("no waiting line:\n%s", got)
	}
	logsCheckFrame(t, d.m.View(), 60, 8)

	// The kubelet starts the first init container: the pane attaches.
	pod = logsWithStatus(pod, logsRunning("check-services", 0, nil))
	d.setPod(pod)
	d.pump() // opened
	st := d.src.last(t)
	if r := st.req; r.Container != "check-services" || !r.Follow || r.Previous || int64Val(r.TailLines) != "200" || r.SinceTime != nil {
		t.Fatalf("request = %+v (tail %s)", r, int64Val(r.TailLines))
	}
	st.send(logsLine(1, "waiting for app-redis"), logsLine(2, "waiting for app-redis again"))
	d.pump()
	logsWant(t, d.body(), "waiting for app-redis", "waiting for app-redis again")
	if !strings.Contains(d.view(), "check-services init 1/2") {
		t.Errorf("header does not name the container:\n%s", d.view())
	}
}

func TestLogsSwitchesToTheNextInitContainer(t *testing.T) {
	d := newLogsDriver(t, Options{}, 60, 8)
	pod := logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil))
	d.setPod(pod)
	d.focus()
	d.pump()
	first := d.src.last(t)
	first.send(logsLine(1, "services up"))
	d.pump()

	pod = logsWithStatus(pod, logsTerminated("check-services", 0, 0))
	pod = logsWithStatus(pod, logsRunning("migrate-db", 0, nil))
	d.setPod(pod)
	if !first.cancelled() {
		t.Error("the stream of the finished step is still open")
	}
	d.pump()
	second := d.src.last(t)
	if second.req.Container != "migrate-db" {
		t.Fatalf("followed %q, want migrate-db", second.req.Container)
	}
	second.send(logsLine(5, "migrating"))
	d.pump()
	logsWant(t, d.body(), "migrating")
	if d.m.Container() != "migrate-db" {
		t.Errorf("Container() = %q", d.m.Container())
	}
}

// logsStreaming returns a driver following check-services (running, no
// restarts) with lines a1 (1 ms) and a2 (2 ms) shown.
func logsStreaming(t *testing.T) (*logsDriver, *logsFakeStream) {
	d := newLogsDriver(t, Options{}, 60, 10)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	st.send(logsLine(1001, "a1"), logsLine(1002, "a2"))
	d.pump()
	return d, st
}

func TestLogsReconnect(t *testing.T) {
	tests := []struct {
		name   string
		endErr error
		status string
	}{
		{"stream breaks mid-way", errors.New("unexpected EOF"), "stream broke: unexpected EOF"},
		// k9s treats this as the end; the container still runs, so it is not.
		{"clean close while the container runs", nil, "stream closed while the container runs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, st := logsStreaming(t)
			st.end(tt.endErr)
			d.pump() // ended: a retry is scheduled
			if !strings.Contains(d.status(), tt.status) {
				t.Errorf("status %q does not say %q", d.status(), tt.status)
			}
			d.pump() // retry fires
			d.pump() // opened
			again := d.src.last(t)
			if again == st {
				t.Fatal("no new stream")
			}
			if again.req.SinceTime == nil || !again.req.SinceTime.Equal(logsAt(1002)) || again.req.TailLines != nil {
				t.Fatalf("resume request: since %v tail %s; want since the last line and no tail", again.req.SinceTime, int64Val(again.req.TailLines))
			}
			// The API resumes at the whole second: both lines come again,
			// then a line with the same timestamp but other text, then new.
			again.send(logsLine(1001, "a1"), logsLine(1002, "a2"), logsLine(1002, "a2 twin"), logsLine(1003, "a3"))
			d.pump()
			logsWant(t, d.body(), "a1", "a2", "a2 twin", "a3")
			if !strings.Contains(d.status(), "following") {
				t.Errorf("status after reconnecting = %q", d.status())
			}
		})
	}
}

func TestLogsCleanCloseAfterExitWaitsForRestart(t *testing.T) {
	d, st := logsStreaming(t)
	pod := logsWithStatus(logsPod(t), logsTerminated("check-services", 0, 1))
	d.setPod(pod)
	st.end(nil)
	d.pump()
	if d.cmd != nil {
		t.Fatal("a finished run is being reconnected")
	}
	if !strings.Contains(d.status(), "ended: Error (exit 1)") {
		t.Errorf("status = %q", d.status())
	}

	// The kubelet restarts it: the end of the old run is fetched (previous,
	// since the last line), a marker drawn, then the new run followed.
	pod = logsWithStatus(pod, logsRunning("check-services", 1, logsExited(1)))
	d.setPod(pod)
	d.pump()
	fill := d.src.last(t)
	if !fill.req.Previous || fill.req.Follow || fill.req.SinceTime == nil || !fill.req.SinceTime.Equal(logsAt(1002)) {
		t.Fatalf("fill request = %+v", fill.req)
	}
	fill.send(logsLine(1002, "a2"), logsLine(1500, "a3: giving up, exit 1"))
	d.pump()
	fill.end(nil)
	d.pump()
	d.pump() // the new run opens
	run := d.src.last(t)
	if run.req.Previous || !run.req.Follow || run.req.SinceTime != nil || int64Val(run.req.TailLines) != "10000" {
		t.Fatalf("new run request = %+v, tail %s", run.req, int64Val(run.req.TailLines))
	}
	run.send(logsLine(9000, "b1"))
	d.pump()
	body := d.body()
	if len(body) != 5 || body[0] != "a1" || body[1] != "a2" || body[2] != "a3: giving up, exit 1" ||
		!strings.HasPrefix(body[3], "── restart 1 ──") || body[4] != "b1" {
		t.Fatalf("body:\n%s", strings.Join(body, "\n"))
	}
}

func TestLogsRestartWhileStreaming(t *testing.T) {
	// kwok (and a kubelet that lost the container) never ends the follow:
	// the restart count is what tells the run is over.
	d, st := logsStreaming(t)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 1, logsExited(1))))
	if !st.cancelled() {
		t.Fatal("the old run's stream is still open")
	}
	d.pump()
	fill := d.src.last(t)
	fill.end(nil)
	d.pump()
	d.pump()
	run := d.src.last(t)
	run.send(logsLine(5000, "second run"))
	d.pump()
	body := d.body()
	if len(body) != 4 || !strings.HasPrefix(body[2], "── restart 1 ──") || body[3] != "second run" {
		t.Fatalf("body:\n%s", strings.Join(body, "\n"))
	}
}

func TestLogsNewRunWaitsUntilItStarts(t *testing.T) {
	// After a restart the kubelet serves the run that ended until the new
	// one starts: the pane must not show that run twice.
	d, _ := logsStreaming(t)
	pod := logsWithStatus(logsPod(t), logsWaiting("check-services", "ContainerCreating", 2, logsExited(1)))
	d.setPod(pod) // restart count jumps by 2: no fill, a marker, then wait
	if !strings.Contains(d.status(), "waiting: ContainerCreating") {
		t.Fatalf("status = %q", d.status())
	}
	n := d.src.count()
	d.setPod(logsWithStatus(pod, logsRunning("check-services", 2, logsExited(1))))
	d.pump()
	if d.src.count() != n+1 || d.src.last(t).req.Previous {
		t.Fatalf("the started run was not opened")
	}
}

func TestLogsPreviousRun(t *testing.T) {
	d := newLogsDriver(t, Options{}, 70, 8)
	pod := logsWithStatus(logsPod(t), logsWaiting("check-services", "CrashLoopBackOff", 3, logsExited(1)))
	d.setPod(pod)
	d.focus()
	d.pump()
	cur := d.src.last(t)
	if cur.req.Previous || !cur.req.Follow {
		t.Fatalf("current request = %+v", cur.req)
	}
	d.key("p")
	if !cur.cancelled() {
		t.Error("the current stream stays open in previous mode")
	}
	d.pump()
	prev := d.src.last(t)
	if !prev.req.Previous || prev.req.Follow || int64Val(prev.req.TailLines) != "200" {
		t.Fatalf("previous request = %+v", prev.req)
	}
	prev.send(logsLine(1, "nslookup: can't resolve 'app-redis'"))
	d.pump()
	prev.end(nil)
	d.pump()
	logsWant(t, d.body(), "nslookup: can't resolve 'app-redis'")
	if s := d.status(); !strings.Contains(s, "end of the previous run (Error, exit 1)") {
		t.Errorf("status = %q", s)
	}
	if !strings.Contains(d.view(), "previous run") {
		t.Errorf("header does not say previous run:\n%s", d.view())
	}
	d.key("p")
	d.pump()
	if r := d.src.last(t).req; r.Previous || !r.Follow {
		t.Fatalf("back to current: request = %+v", r)
	}
}

func TestLogsPreviousWithoutRestart(t *testing.T) {
	d := newLogsDriver(t, Options{Previous: true}, 70, 8)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	if d.src.count() != 0 {
		t.Fatal("asked the kubelet for a previous run that does not exist")
	}
	if !strings.Contains(d.view(), "no previous run") {
		t.Errorf("view:\n%s", d.view())
	}
}

func TestLogsPickContainer(t *testing.T) {
	d := newLogsDriver(t, Options{}, 70, 10)
	pod := logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil))
	d.setPod(pod)
	d.focus()
	d.pump()
	d.key("c")
	if !d.m.Capturing() {
		t.Fatal("the picker does not capture keys")
	}
	v := d.view()
	title := "Show the log of a container of " + pod.Namespace + "/" + pod.Name + "  (enter: choose"
	for _, want := range []string{title, "auto", "check-services", "migrate-db", "app"} {
		if !strings.Contains(v, want) {
			t.Fatalf("picker lacks %q:\n%s", want, v)
		}
	}
	d.key("down", "down", "down", "enter") // auto, check-services, migrate-db, app
	if d.m.Container() != "app" || !d.m.pinned {
		t.Fatalf("container = %q pinned %v", d.m.Container(), d.m.pinned)
	}
	if !strings.Contains(d.status(), "waiting: PodInitializing") {
		t.Errorf("status = %q", d.status())
	}
	// Initialization moves on; a picked container stays.
	pod = logsWithStatus(pod, logsTerminated("check-services", 0, 0))
	d.setPod(logsWithStatus(pod, logsRunning("migrate-db", 0, nil)))
	if d.m.Container() != "app" {
		t.Fatalf("a pinned container was replaced by %q", d.m.Container())
	}
	// Back to auto: the active step.
	d.key("c", "g", "enter")
	if d.m.Container() != "migrate-db" || d.m.pinned {
		t.Fatalf("auto follows %q (pinned %v), want migrate-db", d.m.Container(), d.m.pinned)
	}
	d.pump()
	if r := d.src.last(t).req; r.Container != "migrate-db" {
		t.Errorf("auto opened %q", r.Container)
	}
	d.key("c")
	d.key("esc")
	if d.m.Capturing() {
		t.Error("esc did not close the picker")
	}
}

func TestLogsAutoscroll(t *testing.T) {
	d := newLogsDriver(t, Options{}, 40, 6) // 4 rows of lines
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	var lines []kube.LogLine
	for i := 0; i < 20; i++ {
		lines = append(lines, logsLine(i, fmt.Sprintf("line %02d", i)))
	}
	st.send(lines...)
	d.pump()
	logsWant(t, d.body(), "line 16", "line 17", "line 18", "line 19")

	d.key("up") // scrolling up pauses
	logsWant(t, d.body(), "line 15", "line 16", "line 17", "line 18")
	st.send(logsLine(100, "line 20"), logsLine(101, "line 21"))
	d.pump()
	logsWant(t, d.body(), "line 15", "line 16", "line 17", "line 18")
	if s := d.status(); !strings.Contains(s, "paused · 2 new lines") {
		t.Errorf("status = %q", s)
	}
	d.key("down", "down") // one row short of the bottom, still paused
	if d.m.follow {
		t.Fatal("resumed before reaching the bottom")
	}
	d.key("down") // at the bottom: autoscroll resumes
	if !d.m.follow {
		t.Fatal("reaching the bottom did not resume autoscroll")
	}
	st.send(logsLine(102, "line 22"))
	d.pump()
	logsWant(t, d.body(), "line 19", "line 20", "line 21", "line 22")

	d.key("s") // s pauses, G resumes
	st.send(logsLine(103, "line 23"))
	d.pump()
	logsWant(t, d.body(), "line 19", "line 20", "line 21", "line 22")
	d.key("G")
	logsWant(t, d.body(), "line 20", "line 21", "line 22", "line 23")
	d.key("g")
	logsWant(t, d.body(), "line 00", "line 01", "line 02", "line 03")
}

func TestLogsWrapTimestamps(t *testing.T) {
	d := newLogsDriver(t, Options{}, 20, 6)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	st.send(logsLine(1234, "0123456789abcdefghijKLMNO"))
	d.pump()
	logsWant(t, d.body(), "0123456789abcdefghij", "KLMNO")
	d.key("w")
	logsWant(t, d.body(), "0123456789abcdefghi…")
	d.key("t")
	logsWant(t, d.body(), "2026-01-01T00:00:01…")
	d.key("w")
	logsWant(t, d.body(), "2026-01-01T00:00:01.", "234Z 0123456789abcde", "fghijKLMNO")
	logsCheckFrame(t, d.m.View(), 20, 6)
}

func TestLogsSearch(t *testing.T) {
	d := newLogsDriver(t, Options{}, 40, 6)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	var lines []kube.LogLine
	for i := 0; i < 30; i++ {
		text := fmt.Sprintf("line %02d ok", i)
		if i%10 == 3 {
			text = fmt.Sprintf("line %02d ERROR db down", i)
		}
		lines = append(lines, logsLine(i, text))
	}
	st.send(lines...)
	d.pump()
	d.key("/")
	if !d.m.Capturing() {
		t.Fatal("search field does not capture keys")
	}
	d.typeText("error")
	if s := d.status(); !strings.HasPrefix(s, "/error") || !strings.HasSuffix(s, " 3 matches") {
		t.Errorf("status while typing = %q", s)
	}
	d.key("enter") // jump to the match nearest the bottom
	if s := d.status(); !strings.Contains(s, "3/3") {
		t.Errorf("status = %q", s)
	}
	if !strings.Contains(strings.Join(d.body(), "\n"), "line 23 ERROR") {
		t.Fatalf("match 3 not on screen:\n%s", strings.Join(d.body(), "\n"))
	}
	d.key("N")
	if s := d.status(); !strings.Contains(s, "2/3") || !strings.Contains(strings.Join(d.body(), "\n"), "line 13 ERROR") {
		t.Fatalf("N: status %q body:\n%s", s, strings.Join(d.body(), "\n"))
	}
	d.key("n", "n") // wraps around to the first
	if s := d.status(); !strings.Contains(s, "1/3") || !strings.Contains(strings.Join(d.body(), "\n"), "line 03 ERROR") {
		t.Fatalf("n n: status %q body:\n%s", s, strings.Join(d.body(), "\n"))
	}
	// New matching lines join the matches as they stream in.
	st.send(logsLine(100, "late error"))
	d.pump()
	if s := d.status(); !strings.Contains(s, "1/4") {
		t.Errorf("status after a new match = %q", s)
	}
	// A capital letter makes the search case-sensitive.
	d.key("/")
	d.m.search.input.SetValue("")
	d.typeText("ERROR")
	if n := len(d.m.search.matches); n != 3 {
		t.Errorf("case-sensitive matches = %d, want 3", n)
	}
	d.key("esc")
	if d.m.search.query != "" || d.m.Capturing() {
		t.Error("esc did not clear the search")
	}
}

func TestLogsSearchHighlight(t *testing.T) {
	old := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.ANSI)
	t.Cleanup(func() { lipgloss.SetColorProfile(old) })
	d := newLogsDriver(t, Options{}, 40, 5)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	d.src.last(t).send(logsLine(1, "connect: Connection refused"))
	d.pump()
	d.key("/")
	d.typeText("conn")
	d.key("enter")
	v := d.m.View()
	want1, want2 := d.m.th.Match.Render("conn"), d.m.th.Match.Render("Conn")
	if !strings.Contains(v, want1) || !strings.Contains(v, want2) {
		t.Fatalf("matches not highlighted (want %q and %q) in %q", want1, want2, v)
	}
}

func TestLogsSanitizesLines(t *testing.T) {
	old := lipgloss.ColorProfile()
	lipgloss.SetColorProfile(termenv.Ascii) // the pane adds no escapes of its own
	t.Cleanup(func() { lipgloss.SetColorProfile(old) })
	d := newLogsDriver(t, Options{}, 80, 5)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	hostile := "\x1b]0;pwned\x07title \x1b[2Jclear \x1b[31mred\x1b[0m bell\a cr\rend \x1b]52;c;ZXZpbA==\x07clip"
	d.src.last(t).send(logsLine(1, hostile))
	d.pump()
	v := d.m.View()
	if strings.ContainsRune(v, 0x1b) || strings.ContainsRune(v, '\a') || strings.ContainsRune(v, '\r') {
		t.Fatalf("raw control characters reached the screen: %q", v)
	}
	if !strings.Contains(v, "title clear red bell␇ cr␍end clip") {
		t.Errorf("sanitized text = %q", v)
	}
	d.key("C") // colours on: SGR kept, nothing else
	v = d.m.View()
	if !strings.Contains(v, "\x1b[31mred\x1b[0m") {
		t.Errorf("colour dropped with colours on: %q", v)
	}
	for _, bad := range []string{"\x1b]", "\x1b[2J", "\a", "\r"} {
		if strings.Contains(v, bad) {
			t.Errorf("colours on let %q through: %q", bad, v)
		}
	}
}

func TestLogsBufferIsBounded(t *testing.T) {
	d := newLogsDriver(t, Options{BufferLines: 1000}, 40, 6)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	for b := 0; b < 5; b++ {
		lines := make([]kube.LogLine, 1000)
		for i := range lines {
			n := b*1000 + i
			lines[i] = logsLine(n, fmt.Sprintf("line %d", n))
		}
		st.send(lines...)
		d.pump()
	}
	if d.m.buf.Len() != 1000 {
		t.Fatalf("buffer holds %d lines, want 1000", d.m.buf.Len())
	}
	if d.m.buf.At(0).plain != "line 4000" {
		t.Errorf("oldest kept = %q, want line 4000", d.m.buf.At(0).plain)
	}
	body := d.body()
	if body[len(body)-1] != "line 4999" {
		t.Errorf("last row = %q", body[len(body)-1])
	}
}

func TestLogsHugeLine(t *testing.T) {
	d := newLogsDriver(t, Options{}, 50, 12)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	st := d.src.last(t)
	// What the kube source sends for a 1 MB line, and what a source that
	// does not cut would send: both render within the frame.
	st.send(kube.LogLine{Time: logsAt(1), Text: strings.Repeat("x", 100), Cut: 1 << 20},
		kube.LogLine{Time: logsAt(2), Text: strings.Repeat("y", 1<<20)},
		logsLine(3, "after"))
	d.pump()
	logsCheckFrame(t, d.m.View(), 50, 12)
	d.key("g")
	if v := d.view(); !strings.Contains(v, "✂ 1.0 MB more not shown") {
		t.Errorf("no cut marker:\n%s", v)
	}
	logsCheckFrame(t, d.m.View(), 50, 12)
}

func TestLogsGapMarker(t *testing.T) {
	d := newLogsDriver(t, Options{}, 60, 6)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	d.src.last(t).send(kube.LogLine{Skipped: 5000}, logsLine(1, "after the gap"))
	d.pump()
	body := d.body()
	if len(body) != 2 || !strings.Contains(body[0], "5000 lines skipped") {
		t.Fatalf("body:\n%s", strings.Join(body, "\n"))
	}
}

func TestLogsNotStartedAnswerWaits(t *testing.T) {
	d := newLogsDriver(t, Options{}, 60, 6)
	d.src.openErrs = []error{&kube.NotStartedError{Container: "check-services", Reason: "PodInitializing"}}
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump() // open fails: not started
	if s := d.status(); s != "waiting: PodInitializing · 0 lines" {
		t.Errorf("status = %q", s)
	}
	d.pump() // retry
	d.pump() // opened
	if d.src.count() != 1 {
		t.Fatalf("streams = %d, want the retry to open one", d.src.count())
	}
}

func TestLogsOpenFailureRetries(t *testing.T) {
	d := newLogsDriver(t, Options{RetryDelay: func(n int) time.Duration { return 0 }}, 80, 6)
	d.src.openErrs = []error{errors.New("dial tcp: connection refused")}
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	if s := d.status(); !strings.Contains(s, "cannot open log: dial tcp: connection refused — retrying") {
		t.Errorf("status = %q", s)
	}
	d.pump()
	d.pump()
	if d.src.count() != 1 {
		t.Fatal("no retry")
	}
}

func TestLogsTailKeys(t *testing.T) {
	d := newLogsDriver(t, Options{}, 80, 6)
	d.setPod(logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil)))
	d.focus()
	d.pump()
	first := d.src.last(t)
	d.key("+")
	if !first.cancelled() {
		t.Error("old stream open after changing the tail")
	}
	d.pump()
	if got := int64Val(d.src.last(t).req.TailLines); got != "500" {
		t.Errorf("tail after + = %s, want 500", got)
	}
	d.key("-", "-")
	d.pump()
	if got := int64Val(d.src.last(t).req.TailLines); got != "100" {
		t.Errorf("tail after - - = %s, want 100", got)
	}
}

func TestLogsBlurClosesAndFocusResumes(t *testing.T) {
	d, st := logsStreaming(t)
	d.m = d.m.Blur()
	if !st.cancelled() {
		t.Fatal("Blur left the stream open")
	}
	d.pump() // the wait command returns at once: its channel was closed
	if d.cmd != nil {
		t.Fatal("a closed stream scheduled more work")
	}
	d.focus()
	d.pump()
	again := d.src.last(t)
	if again.req.SinceTime == nil || !again.req.SinceTime.Equal(logsAt(1002)) {
		t.Errorf("refocus did not resume after the last line: %+v", again.req)
	}
}

func TestLogsRecreatedPodStartsOver(t *testing.T) {
	d, st := logsStreaming(t)
	pod := logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil))
	pod.UID = "another-uid"
	d.setPod(pod)
	if !st.cancelled() {
		t.Fatal("the old pod's stream is still open")
	}
	if d.m.buf.Len() != 0 {
		t.Error("the old pod's lines are still shown")
	}
	d.pump()
	if r := d.src.last(t).req; r.SinceTime != nil || int64Val(r.TailLines) != "200" {
		t.Errorf("request for the new pod = %+v", r)
	}
}

func TestLogsRecreatedPodKeepsAPickedContainer(t *testing.T) {
	d, st := logsStreaming(t)
	d.key("c", "down", "enter") // pin check-services
	if !d.m.pinned {
		t.Fatal("not pinned")
	}
	pod := logsWithStatus(logsPod(t), logsRunning("check-services", 0, nil))
	pod.UID = "another-uid"
	d.setPod(pod)
	if !st.cancelled() {
		t.Fatal("the old pod's stream is still open")
	}
	d.pump()
	if r := d.src.last(t).req; r == st.req || r.Container != "check-services" || r.SinceTime != nil {
		t.Fatalf("request for the recreated pod = %+v", r)
	}
}

func TestLogsPodGone(t *testing.T) {
	d, st := logsStreaming(t)
	d.setPod(nil)
	if !st.cancelled() {
		t.Fatal("stream open for a deleted pod")
	}
}

func TestLogsStaleMessagesIgnored(t *testing.T) {
	d, st := logsStreaming(t)
	before := d.body()
	m, cmd := d.m.Update(logBatchMsg{id: 999999, lines: []kube.LogLine{logsLine(5000, "from another stream")}})
	if cmd != nil {
		t.Error("a stale batch scheduled work")
	}
	d.m = m
	logsWant(t, d.body(), before...)
	_ = st
}

func TestLogsSmallSizes(t *testing.T) {
	for _, size := range [][2]int{{1, 1}, {10, 2}, {40, 3}, {40, 10}} {
		d, _ := logsStreaming(t)
		d.m = d.m.SetSize(size[0], size[1])
		logsCheckFrame(t, d.m.View(), size[0], size[1])
	}
}

func TestLogsHelp(t *testing.T) {
	d := newLogsDriver(t, Options{}, 40, 6)
	if len(d.m.ShortHelp()) == 0 {
		t.Fatal("no short help")
	}
	seen := map[string]bool{}
	for _, col := range d.m.FullHelp() {
		for _, b := range col {
			seen[b.Help().Desc] = true
		}
	}
	for _, want := range []string{"autoscroll", "timestamps", "wrap", "previous run", "container", "search", "next match", "previous match", "more lines", "fewer lines", "colours"} {
		if !seen[want] {
			t.Errorf("full help lacks %q", want)
		}
	}
}
