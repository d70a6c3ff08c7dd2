package demo

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// recorder writes events the way each component does on a real cluster:
// the kubelet and the controllers through client-go's core/v1 recorder
// (source.component, first/lastTimestamp, identical events folded into one
// object whose count grows), the scheduler through the events.k8s.io API
// (eventTime, reportingController, action, no count).
type recorder struct {
	c     *Cluster
	byKey map[string]*corev1.Event
	names map[string]bool
}

// ref is what an event is about.
type ref struct {
	kind, apiVersion string
	namespace, name  string
	uid              types.UID
	resourceVersion  string
	fieldPath        string
}

func podRef(p *simPod, fieldPath string) ref {
	return ref{
		kind: "Pod", apiVersion: "v1",
		namespace: p.pod.Namespace, name: p.pod.Name, uid: p.pod.UID,
		resourceVersion: p.pod.ResourceVersion, fieldPath: fieldPath,
	}
}

// kubelet records an event from p's node about one of its containers.
func (r *recorder) kubelet(p *simPod, fieldPath, typ, reason, message string) {
	r.legacy(podRef(p, fieldPath), corev1.EventSource{Component: "kubelet", Host: p.node.name}, typ, reason, message)
}

// controller records an event from a controller-manager loop
// ("replicaset-controller", "deployment-controller", ...).
func (r *recorder) controller(obj ref, component, typ, reason, message string) {
	r.legacy(obj, corev1.EventSource{Component: component}, typ, reason, message)
}

// legacy is client-go's record.EventRecorder with its correlator's
// deduplication: an event identical to an earlier one (same source, object,
// type, reason and message) bumps that event's count and lastTimestamp.
func (r *recorder) legacy(obj ref, src corev1.EventSource, typ, reason, message string) {
	c := r.c
	now := c.stamp()
	key := strings.Join([]string{src.Component, src.Host, obj.kind, obj.namespace, obj.name,
		string(obj.uid), obj.fieldPath, typ, reason, message}, "\x00")
	if ev, ok := r.byKey[key]; ok {
		ev.Count++
		ev.LastTimestamp = now
		c.updateEvent(ev)
		return
	}
	ev := &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: r.name(obj.name), Namespace: obj.namespace, UID: c.uid(), CreationTimestamp: now},
		InvolvedObject:      obj.objectReference(),
		Reason:              reason,
		Message:             message,
		Source:              src,
		FirstTimestamp:      now,
		LastTimestamp:       now,
		Count:               1,
		Type:                typ,
		ReportingController: src.Component,
		ReportingInstance:   src.Host,
	}
	r.byKey[key] = ev
	c.createEvent(ev)
}

// scheduler records an event of the default scheduler, which uses the
// events.k8s.io API: seen as a core/v1 Event it has no source, no count and
// no first/lastTimestamp, but an eventTime and a reporting controller.
func (r *recorder) scheduler(p *simPod, typ, reason, action, message string) {
	c := r.c
	obj := podRef(p, "")
	ev := &corev1.Event{
		ObjectMeta:          metav1.ObjectMeta{Name: r.name(obj.name), Namespace: obj.namespace, UID: c.uid(), CreationTimestamp: c.stamp()},
		InvolvedObject:      obj.objectReference(),
		Reason:              reason,
		Message:             message,
		Type:                typ,
		EventTime:           metav1.NewMicroTime(c.now().Truncate(1000)),
		Action:              action,
		ReportingController: "default-scheduler",
		ReportingInstance:   "default-scheduler-demo-control-plane",
	}
	c.createEvent(ev)
}

// name is client-go's event name: the object's name and the event's
// UnixNano in hex; bumped by a nanosecond when two events share an instant.
func (r *recorder) name(object string) string {
	if r.names == nil {
		r.names = map[string]bool{}
	}
	ns := r.c.now().UnixNano()
	for {
		n := fmt.Sprintf("%s.%x", object, ns)
		if !r.names[n] {
			r.names[n] = true
			return n
		}
		ns++
	}
}

func (o ref) objectReference() corev1.ObjectReference {
	return corev1.ObjectReference{
		Kind:            o.kind,
		APIVersion:      o.apiVersion,
		Namespace:       o.namespace,
		Name:            o.name,
		UID:             o.uid,
		ResourceVersion: o.resourceVersion,
		FieldPath:       o.fieldPath,
	}
}
