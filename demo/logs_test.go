package demo

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/initwatch/initwatch/kube"
)

// deadline bounds how long a test waits for a stream; it only turns a hang
// into a failure.
const deadline = 30 * time.Second

// readAll collects a stream's lines until it closes.
func readAll(t *testing.T, lines <-chan []kube.LogLine, errs <-chan error) []kube.LogLine {
	t.Helper()
	var out []kube.LogLine
	timeout := time.After(deadline)
	for {
		select {
		case batch, ok := <-lines:
			if !ok {
				select {
				case err := <-errs:
					t.Fatalf("stream error: %v", err)
				default:
				}
				return out
			}
			out = append(out, batch...)
		case <-timeout:
			t.Fatalf("stream did not end; %d lines so far", len(out))
		}
	}
}

func texts(lines []kube.LogLine) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

func stream(t *testing.T, c *Cluster, ctx context.Context, req kube.LogRequest) []kube.LogLine {
	t.Helper()
	lines, errs, err := c.Logs().Stream(ctx, req)
	if err != nil {
		t.Fatalf("stream %+v: %v", req, err)
	}
	return readAll(t, lines, errs)
}

// TestLogsForEveryContainer: every container that has run has a log.
func TestLogsForEveryContainer(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 2*time.Minute)
	for _, p := range listPods(t, c) {
		for _, cs := range append(slices.Clone(p.Status.InitContainerStatuses), p.Status.ContainerStatuses...) {
			req := kube.LogRequest{Namespace: p.Namespace, Pod: p.Name, Container: cs.Name}
			if cs.State.Waiting != nil && cs.LastTerminationState.Terminated == nil {
				_, _, err := c.Logs().Stream(t.Context(), req)
				ns, ok := kube.IsNotStarted(err)
				if !ok || ns.Reason != cs.State.Waiting.Reason {
					t.Errorf("%s/%s %s is waiting: got %v, want a NotStartedError %q", p.Namespace, p.Name, cs.Name, err, cs.State.Waiting.Reason)
				}
				continue
			}
			if got := stream(t, c, t.Context(), req); len(got) == 0 {
				t.Errorf("%s/%s %s: no log lines", p.Namespace, p.Name, cs.Name)
			}
		}
	}
}

// TestCrashLoopLogs: in back-off, the current and the previous log are the
// failed run's, which says why; a container that never restarted has no
// previous log.
func TestCrashLoopLogs(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 22*time.Second)
	p := podNamed(t, c, "default", seedPrefix)
	if s := status(p, c.Now()); s != "Init:CrashLoopBackOff" {
		t.Fatalf("STATUS %q, want Init:CrashLoopBackOff", s)
	}
	const why = "At least one (app-redis) of the services (app-redis app-postgresql app-mongodb) is not available yet."
	for _, previous := range []bool{true, false} {
		got := texts(stream(t, c, t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "init-check-services", Previous: previous}))
		if len(got) == 0 || got[len(got)-1] != why || !strings.HasSuffix(got[0], " : Started") {
			t.Errorf("previous=%v: log %q, want the failed run ending with %q", previous, got, why)
		}
	}
	_, _, err := c.Logs().Stream(t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "init-fetch-files", Previous: true})
	if ns, ok := kube.IsNotStarted(err); !ok || ns.Reason != "no previous run" {
		t.Errorf("previous log of init-fetch-files: %v, want no previous run", err)
	}
	_, _, err = c.Logs().Stream(t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "nope"})
	if err == nil || !strings.Contains(err.Error(), "container nope is not valid for pod "+p.Name) {
		t.Errorf("unknown container: %v", err)
	}
}

// TestFollowStream: a followed stream delivers lines as the simulation
// writes them and ends when the container terminates.
func TestFollowStream(t *testing.T) {
	c := newTestCluster(1)
	running := func() bool {
		p := podNamed(t, c, "default", seedPrefix)
		if p == nil {
			return false
		}
		cs := initStatus(p, "init-check-database")
		return cs != nil && cs.State.Running != nil
	}
	for !running() {
		step(t, c, 100*time.Millisecond)
		if c.Now().Sub(c.Start()) > 2*time.Minute {
			t.Fatal("init-check-database never ran")
		}
	}
	step(t, c, 500*time.Millisecond) // its first lines
	p := podNamed(t, c, "default", seedPrefix)
	lines, errs, err := c.Logs().Stream(t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "init-check-database", Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	next := func() ([]kube.LogLine, bool) {
		select {
		case batch, ok := <-lines:
			return batch, ok
		case err := <-errs:
			t.Fatalf("stream error: %v", err)
		case <-time.After(deadline):
			t.Fatal("no lines from a followed stream")
		}
		return nil, false
	}
	got, _ := next() // what the run wrote so far
	// Time only moves when the test moves it: one second later the run is
	// still going and its new lines arrive on the open stream.
	step(t, c, time.Second)
	batch, ok := next()
	if !ok || len(batch) == 0 || !running() {
		t.Fatalf("no new lines while the container runs (open %v, running %v)", ok, running())
	}
	got = append(got, batch...)
	for ok {
		step(t, c, 200*time.Millisecond)
		select {
		case batch, ok = <-lines:
			got = append(got, batch...)
		default:
		}
		if c.Now().Sub(c.Start()) > 3*time.Minute {
			t.Fatalf("stream still open long after the container ended; lines: %q", texts(got))
		}
	}
	txt := texts(got)
	if len(txt) < 4 || !strings.HasSuffix(txt[0], " : Started") || !strings.HasSuffix(txt[len(txt)-1], " : Ended") {
		t.Errorf("followed log %q, want the whole run from Started to Ended", txt)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Time.Before(got[i-1].Time) {
			t.Errorf("line %d goes back in time", i)
		}
	}
}

// TestTailAndSince: the initial tail and the resume point select lines as
// the kubelet does.
func TestTailAndSince(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 100*time.Second)
	p := podNamed(t, c, "default", seedPrefix)
	all := stream(t, c, t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "app"})
	if len(all) < 20 {
		t.Fatalf("app wrote %d lines in its first half minute, want one a second", len(all))
	}
	tail := int64(5)
	got := stream(t, c, t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "app", TailLines: &tail})
	if !slices.Equal(texts(got), texts(all[len(all)-5:])) {
		t.Errorf("tail 5: %q, want %q", texts(got), texts(all[len(all)-5:]))
	}
	since := all[10].Time
	got = stream(t, c, t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "app", SinceTime: &since})
	if len(got) == 0 || got[0].Time.Before(since.Truncate(time.Second)) || len(got) < len(all)-11 {
		t.Errorf("since %v: %d lines from %v, want the lines from that second on", since, len(got), got[0].Time)
	}
}

// TestStreamStopsOnCancel: cancelling a followed stream closes it.
func TestStreamStopsOnCancel(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 100*time.Second)
	p := podNamed(t, c, "default", seedPrefix)
	ctx, cancel := context.WithCancel(t.Context())
	lines, _, err := c.Logs().Stream(ctx, kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "app", Follow: true})
	if err != nil {
		t.Fatal(err)
	}
	if batch := <-lines; len(batch) == 0 {
		t.Fatal("empty first batch")
	}
	cancel()
	timeout := time.After(deadline)
	for {
		select {
		case _, ok := <-lines:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatal("the stream stayed open after its context was cancelled")
		}
	}
}

// TestNotStartedYet: a container waiting behind init containers answers
// with the kubelet's reason, as a wait, not an error.
func TestNotStartedYet(t *testing.T) {
	c := newTestCluster(1)
	step(t, c, 5*time.Second)
	p := podNamed(t, c, "default", seedPrefix)
	if cs := p.Status.ContainerStatuses[0]; cs.State.Waiting == nil {
		t.Fatalf("app is not waiting at 5s: %+v", cs.State)
	}
	_, _, err := c.Logs().Stream(t.Context(), kube.LogRequest{Namespace: "default", Pod: p.Name, Container: "app"})
	if ns, ok := kube.IsNotStarted(err); !ok || ns.Reason != "PodInitializing" {
		t.Errorf("got %v, want not started: PodInitializing", err)
	}
	_, _, err = c.Logs().Stream(t.Context(), kube.LogRequest{Namespace: "default", Pod: "missing", Container: "app"})
	if err == nil || !strings.Contains(err.Error(), `pods "missing" not found`) {
		t.Errorf("missing pod: %v", err)
	}
}

// TestLogRotation: a run keeps at most maxRunLines lines; a reader that
// was behind resumes at the oldest line still kept.
func TestLogRotation(t *testing.T) {
	s := newLogStore()
	r := s.open("containerd://rotating")
	t0 := testStart
	for i := range maxRunLines + 5 {
		r.append(kube.LogLine{Time: t0.Add(time.Duration(i) * time.Millisecond), Text: strconv.Itoa(i)})
	}
	lines, next, _, _ := r.from(0)
	if len(lines) > maxRunLines || next != maxRunLines+5 {
		t.Fatalf("%d lines kept, next position %d; want at most %d and %d", len(lines), next, maxRunLines, maxRunLines+5)
	}
	if want := strconv.Itoa(maxRunLines + 5 - len(lines)); lines[0].Text != want {
		t.Errorf("oldest kept line %q, want %q", lines[0].Text, want)
	}
	tail := int64(3)
	if got, _, _, _ := r.from(r.start(&tail, nil)); !slices.Equal(texts(got), []string{
		strconv.Itoa(maxRunLines + 2), strconv.Itoa(maxRunLines + 3), strconv.Itoa(maxRunLines + 4)}) {
		t.Errorf("tail 3 after rotation: %q", texts(got))
	}
}
