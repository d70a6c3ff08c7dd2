package model

import (
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestHistorySeedWatch(t *testing.T) {
	// The seed's `kubectl get pods --watch` output, one observation per line.
	watch := []struct {
		status string
		at     int // seconds after creation
	}{
		{"Pending", 0}, {"Pending", 4}, {"Init:0/4", 4}, {"Init:0/4", 6}, {"Init:Error", 7},
		{"Init:1/4", 8}, {"Init:1/4", 9}, {"Init:2/4", 43}, {"Init:3/4", 44},
		{"PodInitializing", 45}, {"Running", 46},
	}
	created := testNow.Add(-time.Minute)
	var h History
	for _, w := range watch {
		h.Observe(w.status, created.Add(time.Duration(w.at)*time.Second))
	}
	var got []string
	for _, tr := range h.Transitions() {
		got = append(got, fmt.Sprintf("%s@%s", tr.Status, tr.At.Sub(created)))
	}
	want := []string{"Pending@0s", "Init:0/4@4s", "Init:Error@7s", "Init:1/4@8s", "Init:2/4@43s", "Init:3/4@44s", "PodInitializing@45s", "Running@46s"}
	if !slices.Equal(got, want) {
		t.Errorf("transitions = %v, want %v", got, want)
	}

	spans := h.Spans(created.Add(50 * time.Second))
	var durs []string
	for _, s := range spans {
		durs = append(durs, fmt.Sprintf("%s=%s", s.Status, s.For))
	}
	wantDurs := []string{"Pending=4s", "Init:0/4=3s", "Init:Error=1s", "Init:1/4=35s", "Init:2/4=1s", "Init:3/4=1s", "PodInitializing=1s", "Running=4s"}
	if !slices.Equal(durs, wantDurs) {
		t.Errorf("spans = %v, want %v", durs, wantDurs)
	}
	if !spans[len(spans)-1].Open || spans[0].Open {
		t.Error("only the last span is open")
	}
	if cur, ok := h.Current(); !ok || cur.Status != "Running" {
		t.Errorf("Current = %v %v", cur, ok)
	}
}

func TestHistoryBounded(t *testing.T) {
	h := History{Limit: 3}
	for i := range 10 {
		h.Observe([]string{"Init:CrashLoopBackOff", "Init:Error"}[i%2], testNow.Add(time.Duration(i)*time.Second))
	}
	tr := h.Transitions()
	if len(tr) != 3 || h.Dropped() != 7 {
		t.Fatalf("kept %d dropped %d, want 3 and 7", len(tr), h.Dropped())
	}
	if !tr[0].At.Equal(testNow.Add(7*time.Second)) || tr[2].Status != "Init:Error" {
		t.Errorf("kept %v, want the newest three", tr)
	}

	var def History
	for i := range 1000 {
		def.Observe(fmt.Sprint(i), testNow)
	}
	if def.Len() != DefaultHistoryLimit {
		t.Errorf("zero History kept %d, want %d", def.Len(), DefaultHistoryLimit)
	}
	if cap(def.entries) > 2*DefaultHistoryLimit {
		t.Errorf("backing array grew to %d", cap(def.entries))
	}
}

func TestHistoryLateObservation(t *testing.T) {
	var h History
	h.Observe("Init:1/4", testNow)
	h.Observe("Init:2/4", testNow.Add(-time.Second)) // delivered out of order
	if s := h.Spans(testNow); s[0].For != 0 {
		t.Errorf("negative span shown as %v, want 0", s[0].For)
	}
	if _, ok := (&History{}).Current(); ok {
		t.Error("empty history has a current status")
	}
	got := h.Transitions()
	got[0].Status = "mutated"
	if h.Transitions()[0].Status != "Init:1/4" {
		t.Error("Transitions shares its backing array")
	}
}
