package main

import (
	"strings"
	"testing"
)

func TestReplaceSection(t *testing.T) {
	b, e := beginMarker("m"), endMarker("m")
	cases := []struct {
		name, doc, want string
		wantErr         bool
	}{
		{name: "empty file", doc: "", want: b + "\nnew\n" + e + "\n"},
		{name: "appended after the other sections", doc: "# x\n\n## other\nkept\n", want: "# x\n\n## other\nkept\n\n" + b + "\nnew\n" + e + "\n"},
		{name: "replaced in place, the rest kept", doc: "a\n" + b + "\nold\nold\n" + e + "\nb\n", want: "a\n" + b + "\nnew\n" + e + "\nb\n"},
		{name: "another section's markers untouched", doc: beginMarker("o") + "\no\n" + endMarker("o") + "\n", want: beginMarker("o") + "\no\n" + endMarker("o") + "\n\n" + b + "\nnew\n" + e + "\n"},
		{name: "end before begin", doc: e + "\n" + b + "\n", wantErr: true},
		{name: "begin without end", doc: b + "\nold\n", wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := replaceSection(c.doc, "m", "new\n")
			if (err != nil) != c.wantErr {
				t.Fatalf("err = %v, want error %v", err, c.wantErr)
			}
			if got != c.want {
				t.Errorf("got\n%q\nwant\n%q", got, c.want)
			}
		})
	}
}

func TestParseVariants(t *testing.T) {
	cases := []struct {
		in      string
		want    string // name[env...] joined
		wantErr bool
	}{
		{in: "default=", want: "default[]"},
		{in: "with=; without=A=1,B=x=y", want: "with[] without[A=1 B=x=y]"},
		{in: "noequals", wantErr: true},
		{in: "v=A", wantErr: true},
		{in: "=A=1", wantErr: true},
		{in: "GOGC=50 from the start=GOGC=50", wantErr: true},
		{in: "v=1A=x", wantErr: true},
		{in: "gc=GOGC=50,GOMEMLIMIT=300MiB", want: "gc[GOGC=50 GOMEMLIMIT=300MiB]"},
	}
	for _, c := range cases {
		vs, err := parseVariants(c.in)
		if (err != nil) != c.wantErr {
			t.Fatalf("%q: err = %v, want error %v", c.in, err, c.wantErr)
		}
		var got []string
		for _, v := range vs {
			got = append(got, v.name+"["+strings.Join(v.env, " ")+"]")
		}
		if strings.Join(got, " ") != c.want {
			t.Errorf("%q: got %q, want %q", c.in, strings.Join(got, " "), c.want)
		}
	}
}

func TestParseStatus(t *testing.T) {
	m, err := parseStatus("Name:\tinitwatch\nVmHWM:\t  522000 kB\nVmRSS:\t  314000 kB\nThreads:\t9\n")
	if err != nil {
		t.Fatal(err)
	}
	if m.rss != 314000<<10 || m.peak != 522000<<10 {
		t.Errorf("got %+v", m)
	}
	if _, err := parseStatus("VmRSS:\t12 MB\nVmHWM:\t1 kB\n"); err == nil {
		t.Error("a unit other than kB was accepted")
	}
	if _, err := parseStatus("VmRSS:\nVmHWM:\t1 kB\n"); err == nil {
		t.Error("an empty VmRSS was accepted")
	}
	if _, err := parseStatus("Name:\tx\n"); err == nil {
		t.Error("a status without VmRSS was accepted")
	}
}

func TestMedianAndThousands(t *testing.T) {
	if got := median([]float64{3, 1, 2}); got != 2 {
		t.Errorf("median odd = %v", got)
	}
	if got := median([]float64{4, 1, 2, 3}); got != 2.5 {
		t.Errorf("median even = %v", got)
	}
	for n, want := range map[int]string{7: "7", 1000: "1,000", 50000: "50,000", 300000: "300,000"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}
