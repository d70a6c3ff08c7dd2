package controlplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Manifest is the objects of a YAML file, in order, ready to be changed
// and applied with kubectl.
type Manifest []*unstructured.Unstructured

// Fixture reads testdata/cluster/NAME: the seed app (seed-app.yaml), its
// StatefulSet and Job, and a pod no node can take (unschedulable.yaml).
func Fixture(name string) (Manifest, error) {
	root, err := RepoRoot()
	if err != nil {
		return nil, err
	}
	return ReadManifest(filepath.Join(root, "testdata", "cluster", name))
}

// ReadManifest reads every object of a YAML (or JSON) file.
func ReadManifest(path string) (Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
	var m Manifest
	for {
		obj := map[string]any{}
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				break
			}
			return nil, fmt.Errorf("manifest %s: %w", path, err)
		}
		if len(obj) > 0 {
			m = append(m, &unstructured.Unstructured{Object: obj})
		}
	}
	if len(m) == 0 {
		return nil, fmt.Errorf("manifest %s: no object", path)
	}
	return m, nil
}

// templatePath is where each kind keeps its pod template's metadata.
func templatePath(kind string) []string {
	switch kind {
	case "Pod":
		return []string{"metadata"}
	case "CronJob":
		return []string{"spec", "jobTemplate", "spec", "template", "metadata"}
	default: // Deployment, StatefulSet, DaemonSet, ReplicaSet, Job
		return []string{"spec", "template", "metadata"}
	}
}

// Steer adds s's annotations to the pod template of every object (to the
// pods themselves for bare pods), over the fixture's own. It changes m and
// returns it.
func (m Manifest) Steer(s Steer) Manifest {
	return m.Annotate(s.Annotations())
}

// Annotate adds annotations to every object's pod template (see Steer).
func (m Manifest) Annotate(annotations map[string]string) Manifest {
	for _, o := range m {
		path := append(templatePath(o.GetKind()), "annotations")
		cur, _, _ := unstructured.NestedStringMap(o.Object, path...)
		if cur == nil {
			cur = map[string]string{}
		}
		for k, v := range annotations {
			cur[k] = v
		}
		_ = unstructured.SetNestedStringMap(o.Object, cur, path...)
	}
	return m
}

// Replicas sets spec.replicas (Deployments, StatefulSets, ReplicaSets).
func (m Manifest) Replicas(n int) Manifest {
	for _, o := range m {
		if _, ok, _ := unstructured.NestedFieldNoCopy(o.Object, "spec", "replicas"); ok {
			_ = unstructured.SetNestedField(o.Object, int64(n), "spec", "replicas")
		}
	}
	return m
}

// YAML is m as a multi-document YAML stream.
func (m Manifest) YAML() ([]byte, error) {
	var buf bytes.Buffer
	for i, o := range m {
		if i > 0 {
			buf.WriteString("---\n")
		}
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			return nil, fmt.Errorf("marshal %s %s: %w", o.GetKind(), o.GetName(), err)
		}
		buf.Write(data)
	}
	return buf.Bytes(), nil
}

// Apply runs `kubectl apply -n ns -f -` with m, as a user would: the
// objects get kubectl's last-applied annotation and a later Apply of a
// changed m rolls out a new revision.
func (c *Cluster) Apply(ctx context.Context, ns string, m Manifest) error {
	data, err := m.YAML()
	if err != nil {
		return err
	}
	if out, err := c.kubectl(ctx, data, "apply", "-n", ns, "-f", "-"); err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}
