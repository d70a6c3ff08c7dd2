package podlist

import "testing"

func TestShortContexts(t *testing.T) {
	got := ShortContexts([]string{
		"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu",
		"gke_acme-prod_us-central1_prod-us",
		"kind-\x1b[31mred",
		"arn:aws:eks:us-east-1:1:cluster/same", "arn:aws:eks:us-west-2:1:cluster/same",
	})
	want := map[string]string{
		"arn:aws:eks:eu-west-1:123456789012:cluster/prod-eu": "prod-eu",
		"gke_acme-prod_us-central1_prod-us":                  "prod-us",
		"kind-\x1b[31mred":                                   "kind-red",
		"arn:aws:eks:us-east-1:1:cluster/same":               "arn:aws:eks:us-east-1:1:cluster/same",
		"arn:aws:eks:us-west-2:1:cluster/same":               "arn:aws:eks:us-west-2:1:cluster/same",
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("short(%q) = %q, want %q", k, got[k], w)
		}
	}
}
