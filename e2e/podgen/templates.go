// Package podgen generates pods and the statuses a kubelet would report for
// them, to drive a real apiserver through every branch of kubectl's pod
// printer (the e2e oracle tests) and to load thousands of pods (bench/).
//
// It never runs containers: a status is written through the status
// subresource, exactly as the kubelet writes it.
package podgen

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"
)

// Template is a pod manifest the generator copies (spec and labels).
type Template struct {
	Name string
	Pod  *corev1.Pod
}

// LoadTemplates reads every *.yaml pod manifest in dir, sorted by file name.
func LoadTemplates(dir string) ([]Template, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, fmt.Errorf("list templates in %s: %w", dir, err)
	}
	slices.Sort(files)
	var out []Template
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read template: %w", err)
		}
		var pod corev1.Pod
		if err := yaml.UnmarshalStrict(data, &pod); err != nil {
			return nil, fmt.Errorf("parse template %s: %w", f, err)
		}
		if pod.Name == "" {
			return nil, fmt.Errorf("template %s: metadata.name is empty", f)
		}
		out = append(out, Template{Name: pod.Name, Pod: &pod})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no pod templates in %s", dir)
	}
	return out, nil
}

// Find returns the template called name.
func Find(templates []Template, name string) (Template, error) {
	for _, t := range templates {
		if t.Name == name {
			return t, nil
		}
	}
	return Template{}, fmt.Errorf("no pod template %q", name)
}

// isSidecar reports a native sidecar: an init container that keeps running.
func isSidecar(c *corev1.Container) bool {
	return c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways
}
