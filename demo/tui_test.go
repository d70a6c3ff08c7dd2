package demo_test

import (
	"context"
	"regexp"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/teatest"

	"github.com/initwatch/initwatch/demo"
	"github.com/initwatch/initwatch/kube"
	"github.com/initwatch/initwatch/tui"
)

// screenWait bounds each wait for the screen; it only turns a hang into a
// failure, the simulation itself never waits for the wall clock.
const screenWait = 60 * time.Second

// waitScreen waits until the output written since the last wait matches
// every pattern (ANSI sequences removed).
func waitScreen(t *testing.T, tm *teatest.TestModel, patterns ...string) {
	t.Helper()
	res := make([]*regexp.Regexp, len(patterns))
	for i, p := range patterns {
		res[i] = regexp.MustCompile(p)
	}
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		s := ansi.Strip(string(b))
		for _, re := range res {
			if !re.MatchString(s) {
				return false
			}
		}
		return true
	}, teatest.WithDuration(screenWait), teatest.WithCheckInterval(20*time.Millisecond))
}

// TestDemoInTheTUI runs the demo through the real program: the informer
// source on the simulated cluster, Feed, and the App, on a virtual
// terminal. The seed app's init-check-services is shown crash-looping with
// exit code 1 in the detail view, with the log that says why, then the pod
// Running.
func TestDemoInTheTUI(t *testing.T) {
	c := demo.New(demo.Options{Seed: 1, Start: time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	src := c.Source(kube.Options{})
	app := tui.NewApp(tui.Options{Source: src, Logs: c.Logs(), Now: c.Now, Context: "initwatch-demo", Cluster: "demo"})
	tm := teatest.NewTestModel(t, app, teatest.WithInitialTermSize(150, 45))
	fed := make(chan error, 1)
	go func() { fed <- tui.Feed(ctx, src, tm, c.Now) }()

	// Pods that have run for days show as soon as the informers synced.
	waitScreen(t, tm, `storefront-\S+\s+1/1\s+Running`)

	advance(t, c, 22*time.Second) // the second failure: back-off 10s
	waitScreen(t, tm, `k8s-init-containers-\S+\s+0/1\s+Init:CrashLoopBackOff\s+1 \(\d+s ago\)`)

	tm.Type("/k8s-init")
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // accept the filter
	tm.Send(tea.KeyMsg{Type: tea.KeyEnter}) // open the pod
	waitScreen(t, tm,
		`k8s-init-containers-\S+\s+Init:CrashLoopBackOff`,
		`init-check-services\s+crash-looping`,
		`Reason:\s+CrashLoopBackOff`,
		`back-off 10s restarting failed container=init-check-services`,
		`Last State:\s+Terminated`,
		`Exit Code:\s+1\b`)

	// The logs pane follows the crash-looping container: its failed run
	// says why, served by the demo's LogSource.
	tm.Type("l")
	waitScreen(t, tm, `checkServices\.sh\(1\)\d{8}-\d\d:\d\d:\d\d : Started`,
		`At least one \(app-redis\) of the services \(app-redis app-postgresql app-mongodb\) is not available yet\.`)
	// The Resources pane: an init container sets the pod's memory, the
	// app its CPU.
	tm.Type("5")
	waitScreen(t, tm, `app containers set the cpu request: 500m > 100m \(init\)`,
		`init containers set the memory request: 384Mi > 192Mi \(app\)`,
		`init containers set the memory limit: 512Mi > 256Mi \(app\)`,
		`init-fetch-files\s+init\s+100m\s+250m\s+384Mi\s+512Mi`)
	tm.Type("1") // back to the init containers

	advance(t, c, 70*time.Second)
	waitScreen(t, tm, `k8s-init-containers-\S+\s+Running\s+ready 1/1`)

	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	screen := ansi.Strip(tm.FinalModel(t, teatest.WithFinalTimeout(screenWait)).View())
	for _, want := range []string{`Running\s+ready 1/1`, `4 of 4 complete`, `Restart Count:\s+3\b`} {
		if !regexp.MustCompile(want).MatchString(screen) {
			t.Errorf("final screen lacks %q:\n%s", want, screen)
		}
	}
	cancel()
	if err := <-fed; err != nil {
		t.Errorf("feed: %v", err)
	}
}

// advance steps the simulation a second at a time, as Run would at 1x.
func advance(t *testing.T, c *demo.Cluster, d time.Duration) {
	t.Helper()
	for end := c.Now().Add(d); c.Now().Before(end); {
		if err := c.Step(time.Second); err != nil {
			t.Fatalf("step: %v", err)
		}
	}
}
