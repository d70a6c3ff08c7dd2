package main

import "testing"

func TestArrivalsEitherOrder(t *testing.T) {
	var a arrivals[int]
	// Asked first, seen later.
	ch := a.expect("p", 1)
	a.saw("p", 1, 10)
	if v := <-ch; v != 10 {
		t.Fatalf("expected first: got %d, want 10", v)
	}
	// Seen first (twice: the first counts), asked later.
	a.saw("p", 2, 20)
	a.saw("p", 2, 21)
	if n := a.unclaimed(); n != 1 {
		t.Fatalf("%d unclaimed, want 1", n)
	}
	if v := <-a.expect("p", 2); v != 20 {
		t.Fatalf("seen first: got %d, want the first sighting 20", v)
	}
	if n := a.unclaimed(); n != 0 {
		t.Fatalf("%d unclaimed after the claim, want 0", n)
	}
	// Another count of the same pod is another key.
	ch = a.expect("p", 3)
	a.saw("q", 3, 30)
	a.saw("p", 4, 40)
	select {
	case v := <-ch:
		t.Fatalf("p/3 received %d from another key", v)
	default:
	}
}
