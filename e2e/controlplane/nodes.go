package controlplane

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// NodeSpec is one fake node of a whole cluster.
type NodeSpec struct {
	// Name is also the node's kubernetes.io/hostname label, for
	// nodeSelector.
	Name string
	// CPU, Memory and Pods are the node's capacity and allocatable.
	CPU, Memory string
	Pods        int
	// Unschedulable cordons the node (spec.unschedulable), as
	// `kubectl cordon` does: the scheduler places nothing there.
	Unschedulable bool
}

// Names of DefaultNodes.
const (
	NodeA        = "kwok-node-a"
	NodeB        = "kwok-node-b"
	NodeCordoned = "kwok-node-cordoned"
)

// DefaultNodes are two schedulable nodes of 4 CPUs, 8 GiB and 110 pods
// each, and a cordoned one. A pod that asks for more than 4 CPUs, or that
// selects the cordoned node, stays Pending with PodScheduled False, reason
// Unschedulable ("0/3 nodes are available: ...").
func DefaultNodes() []NodeSpec {
	return []NodeSpec{
		{Name: NodeA, CPU: "4", Memory: "8Gi", Pods: 110},
		{Name: NodeB, CPU: "4", Memory: "8Gi", Pods: 110},
		{Name: NodeCordoned, CPU: "4", Memory: "8Gi", Pods: 110, Unschedulable: true},
	}
}

// createNodes registers the nodes as a kubelet does (status included in the
// create): Ready, capacity, and kwok's own server as the kubelet endpoint,
// where the apiserver asks for logs. No heartbeat follows (the node
// lifecycle controller is off, see startControllerManager).
func (c *Cluster) createNodes(ctx context.Context, cs kubernetes.Interface) error {
	for _, n := range c.Nodes {
		node, err := nodeObject(n, c.Kwok)
		if err != nil {
			return err
		}
		if _, err := cs.CoreV1().Nodes().Create(ctx, node, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("create node %s: %w", n.Name, err)
		}
	}
	return nil
}

func nodeObject(n NodeSpec, k *Kwok) (*corev1.Node, error) {
	cpu, err := resource.ParseQuantity(n.CPU)
	if err != nil {
		return nil, fmt.Errorf("node %s cpu %q: %w", n.Name, n.CPU, err)
	}
	mem, err := resource.ParseQuantity(n.Memory)
	if err != nil {
		return nil, fmt.Errorf("node %s memory %q: %w", n.Name, n.Memory, err)
	}
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:    cpu,
		corev1.ResourceMemory: mem,
		corev1.ResourcePods:   *resource.NewQuantity(int64(n.Pods), resource.DecimalSI),
	}
	now := metav1.Now()
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        n.Name,
			Annotations: map[string]string{KwokNodeAnnotation: k.NodeSelector},
			Labels: map[string]string{
				"kubernetes.io/hostname": n.Name,
				"kubernetes.io/os":       "linux",
				"kubernetes.io/arch":     "amd64",
				"type":                   "kwok",
			},
		},
		Spec: corev1.NodeSpec{Unschedulable: n.Unschedulable},
		Status: corev1.NodeStatus{
			Capacity:    capacity,
			Allocatable: capacity.DeepCopy(),
			Phase:       corev1.NodeRunning,
			Conditions: []corev1.NodeCondition{{
				Type: corev1.NodeReady, Status: corev1.ConditionTrue, Reason: "KubeletReady",
				Message: "kwok plays the kubelet", LastHeartbeatTime: now, LastTransitionTime: now,
			}},
			// InternalIP only: the apiserver tries a Hostname address
			// first, and the node's name resolves nowhere.
			Addresses:       []corev1.NodeAddress{{Type: corev1.NodeInternalIP, Address: "127.0.0.1"}},
			DaemonEndpoints: corev1.NodeDaemonEndpoints{KubeletEndpoint: corev1.DaemonEndpoint{Port: int32(k.Port)}},
			NodeInfo: corev1.NodeSystemInfo{
				KubeletVersion: "v1.37.2-kwok", OperatingSystem: "linux", Architecture: "amd64",
				ContainerRuntimeVersion: "kwok://v0.8.0",
			},
		},
	}, nil
}
