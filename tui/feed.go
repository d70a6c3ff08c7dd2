package tui

import (
	"context"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/initwatch/initwatch/kube"
)

// BatchMsg carries one batch from the pod source into the program, stamped
// with the time it arrived (the time a STATUS change is recorded at).
type BatchMsg struct {
	Batch kube.Batch
	At    time.Time
}

// SourceStoppedMsg says the pod source returned. Err is nil when it stopped
// because its context was cancelled; otherwise the error is fatal (the user
// may list pods nowhere) and the program quits with it.
type SourceStoppedMsg struct {
	Err error
}

// Sender is what Feed delivers to: a *tea.Program, or teatest's TestModel.
type Sender interface {
	Send(msg tea.Msg)
}

// Feed runs src and forwards each batch to p as a BatchMsg until ctx is
// cancelled or src stops, then returns src's error. It is the only goroutine
// between the source and the program, and it owns the source: it does not
// return before src.Run has.
//
// Each batch is handed over with p.Send, which blocks until the program
// takes it; meanwhile the source keeps coalescing changes into its next
// batch, so a busy screen receives fewer, larger batches instead of a queue.
func Feed(ctx context.Context, src kube.PodSource, p Sender, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	out := make(chan kube.Batch)
	done := make(chan error, 1)
	go func() { done <- src.Run(ctx, out) }()
	for {
		select {
		case b := <-out:
			p.Send(BatchMsg{Batch: b, At: now()})
		case err := <-done:
			if ctx.Err() != nil {
				return nil
			}
			p.Send(SourceStoppedMsg{Err: err})
			return err
		case <-ctx.Done():
			// Keep receiving so a source blocked on a send can see the
			// cancellation and return.
			for {
				select {
				case <-out:
				case <-done:
					return nil
				}
			}
		}
	}
}
