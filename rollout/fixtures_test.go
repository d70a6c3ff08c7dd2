package rollout

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// testNow is the fixed clock every fixture under testdata/ is written against.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// fixture is one testdata file: a v1 List of pods and owners.
type fixture struct {
	pods   []*corev1.Pod
	owners []metav1.Object
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name+".yaml"))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	js, err := yaml.YAMLToJSON(data) // merge keys (<<) override, which strict mode refuses
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	decoder := serializer.NewCodecFactory(scheme.Scheme, serializer.EnableStrict).UniversalDeserializer()
	var list corev1.List
	if _, _, err := decoder.Decode(js, nil, &list); err != nil {
		t.Fatalf("decode fixture %s: %v", name, err)
	}
	var f fixture
	for i, item := range list.Items {
		obj, _, err := decoder.Decode(item.Raw, nil, nil)
		if err != nil {
			t.Fatalf("fixture %s item %d: %v", name, i, err)
		}
		switch o := obj.(type) {
		case *corev1.Pod:
			f.pods = append(f.pods, o)
		case metav1.Object:
			f.owners = append(f.owners, o)
		default:
			t.Fatalf("fixture %s item %d: unexpected %T", name, i, obj)
		}
	}
	return f
}

// store returns an Owners holding the fixture's owners.
func (f fixture) store() *Owners {
	o := NewOwners()
	for _, obj := range f.owners {
		o.Upsert(obj)
	}
	return o
}

var _ runtime.Object = (*corev1.Pod)(nil)
