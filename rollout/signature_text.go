package rollout

import (
	"fmt"
	"strings"
	"time"

	"github.com/initwatch/initwatch/model"
)

// Headline is the signature on one line, as lists show it:
//
//	init-check-database: Error, exit code 1 — 8 pods, all on node worker-2
//
// The step is "scheduling" or "pod" for pod-level signatures.
func (s *Signature) Headline() string {
	var b strings.Builder
	b.WriteString(s.stepName())
	b.WriteString(": ")
	b.WriteString(s.Cause())
	fmt.Fprintf(&b, " — %s", plural(s.Count, "pod", "pods"))
	if node, ok := s.OnOneNode(); ok {
		fmt.Fprintf(&b, ", all on node %s", node)
	}
	return b.String()
}

// Cause is the reason with the exit code and signal: "Error, exit code 1",
// "OOMKilled, exit code 137, signal 9", "ErrImagePull".
func (s *Signature) Cause() string {
	out := s.Reason
	if s.ExitCode != nil {
		out += fmt.Sprintf(", exit code %d", *s.ExitCode)
	}
	if s.Signal != nil {
		out += fmt.Sprintf(", signal %d", *s.Signal)
	}
	return out
}

func (s *Signature) stepName() string {
	switch s.StepKind {
	case StepScheduling, StepPod:
		return string(s.StepKind)
	case StepSidecar:
		return s.Step + " (sidecar)"
	case StepContainer:
		return s.Step + " (container)"
	}
	return s.Step
}

// Text renders the signature as plain text for the incident channel (the
// clipboard copy) and for `initwatch wait`'s diagnosis: the headline, then
// one labelled line per fact. Every string in it is sanitised; it has no
// colour and no trailing newline. now dates "first seen"/"last seen".
//
//	payments/Deployment/checkout
//	init-check-database: Error, exit code 1 — 8 pods, all on node worker-2
//	  message:  could not connect to db-primary:5432: connection refused
//	  image:    ghcr.io/acme/check-db:1.4
//	  pods:     8 crash-looping, 31 restarts
//	  seen:     first 6m ago, last 20s ago
//	  nodes:    worker-2 (8)
//	  example:  payments/checkout-7d9f8c-2xk4p
func (s *Signature) Text(now time.Time) string {
	var b strings.Builder
	b.WriteString(s.Workload.String())
	b.WriteByte('\n')
	b.WriteString(s.Headline())
	if s.Message != "" {
		field(&b, "message", indentLines(s.Message, "            "))
	}
	if s.Image != "" {
		field(&b, "image", s.Image)
	}
	field(&b, "pods", s.stateText())
	field(&b, "seen", fmt.Sprintf("first %s ago, last %s ago", model.Since(s.FirstSeen, now), model.Since(s.LastSeen, now)))
	field(&b, "nodes", nodesText(s.Nodes))
	field(&b, "example", s.Example.String())
	return b.String()
}

func field(b *strings.Builder, name, value string) {
	fmt.Fprintf(b, "\n  %-9s %s", name+":", value)
}

// stateText says how the pods stand: "8 crash-looping, 31 restarts",
// "2 failed for good (will not retry)".
func (s *Signature) stateText() string {
	var parts []string
	if s.NotRetrying > 0 {
		parts = append(parts, fmt.Sprintf("%d failed for good (will not retry)", s.NotRetrying))
	}
	if s.CrashLooping > 0 {
		parts = append(parts, fmt.Sprintf("%d in back-off", s.CrashLooping))
	}
	if s.Retrying > 0 {
		parts = append(parts, fmt.Sprintf("%d retrying", s.Retrying))
	}
	if rest := s.Count - s.NotRetrying - s.CrashLooping - s.Retrying; rest > 0 {
		parts = append(parts, fmt.Sprintf("%d failing", rest))
	}
	parts = append(parts, plural(int(s.Restarts), "restart", "restarts"))
	return strings.Join(parts, ", ")
}

// nodesText lists the nodes, most pods first: "worker-2 (8)",
// "worker-1 (3), worker-2 (1), not scheduled (2)".
func nodesText(nodes []NodeCount) string {
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		name := n.Node
		if name == "" {
			name = "not scheduled"
		}
		parts = append(parts, fmt.Sprintf("%s (%d)", name, n.Count))
	}
	return strings.Join(parts, ", ")
}

func indentLines(s, indent string) string {
	return strings.ReplaceAll(s, "\n", "\n"+indent)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
