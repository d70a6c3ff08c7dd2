package rollout

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
)

// progressDeadlineReason is the reason the Deployment controller sets on
// the Progressing condition when the rollout exceeded its deadline.
const progressDeadlineReason = "ProgressDeadlineExceeded"

// rolloutStatus is a status sentence and whether the rollout is complete or
// cannot complete.
type rolloutStatus struct {
	msg    string
	done   bool
	failed bool
}

// deploymentStatus follows `kubectl rollout status` for a Deployment
// (kubectl's DeploymentStatusViewer, v0.37): the same conditions in the
// same order, the same sentences. An exceeded progress deadline, an error
// there, is a failed rollout here. rules_test.go checks every branch against
// kubectl's own code.
func deploymentStatus(d *appsv1.Deployment) rolloutStatus {
	if d.Generation > d.Status.ObservedGeneration {
		return rolloutStatus{msg: "Waiting for deployment spec update to be observed..."}
	}
	for _, c := range d.Status.Conditions {
		if c.Type == appsv1.DeploymentProgressing && c.Reason == progressDeadlineReason {
			return rolloutStatus{msg: fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name), failed: true}
		}
	}
	st := d.Status
	switch {
	case d.Spec.Replicas != nil && st.UpdatedReplicas < *d.Spec.Replicas:
		return rolloutStatus{msg: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d out of %d new replicas have been updated...",
			d.Name, st.UpdatedReplicas, *d.Spec.Replicas)}
	case st.Replicas > st.UpdatedReplicas:
		return rolloutStatus{msg: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d old replicas are pending termination...",
			d.Name, st.Replicas-st.UpdatedReplicas)}
	case st.AvailableReplicas < st.UpdatedReplicas:
		return rolloutStatus{msg: fmt.Sprintf("Waiting for deployment %q rollout to finish: %d of %d updated replicas are available...",
			d.Name, st.AvailableReplicas, st.UpdatedReplicas)}
	}
	return rolloutStatus{msg: fmt.Sprintf("deployment %q successfully rolled out", d.Name), done: true}
}

// daemonSetStatus follows kubectl's DaemonSetStatusViewer.
func daemonSetStatus(d *appsv1.DaemonSet) rolloutStatus {
	if d.Spec.UpdateStrategy.Type != appsv1.RollingUpdateDaemonSetStrategyType {
		return rolloutStatus{msg: fmt.Sprintf("rollout status is only available for %s strategy type", appsv1.RollingUpdateStatefulSetStrategyType), done: true}
	}
	if d.Generation > d.Status.ObservedGeneration {
		return rolloutStatus{msg: "Waiting for daemon set spec update to be observed..."}
	}
	st := d.Status
	switch {
	case st.UpdatedNumberScheduled < st.DesiredNumberScheduled:
		return rolloutStatus{msg: fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d out of %d new pods have been updated...",
			d.Name, st.UpdatedNumberScheduled, st.DesiredNumberScheduled)}
	case st.NumberAvailable < st.DesiredNumberScheduled:
		return rolloutStatus{msg: fmt.Sprintf("Waiting for daemon set %q rollout to finish: %d of %d updated pods are available...",
			d.Name, st.NumberAvailable, st.DesiredNumberScheduled)}
	}
	return rolloutStatus{msg: fmt.Sprintf("daemon set %q successfully rolled out", d.Name), done: true}
}

// statefulSetStatus follows kubectl's StatefulSetStatusViewer.
func statefulSetStatus(s *appsv1.StatefulSet) rolloutStatus {
	if s.Spec.UpdateStrategy.Type != appsv1.RollingUpdateStatefulSetStrategyType {
		return rolloutStatus{msg: fmt.Sprintf("rollout status is only available for %s strategy type", appsv1.RollingUpdateStatefulSetStrategyType), done: true}
	}
	if s.Status.ObservedGeneration == 0 || s.Generation > s.Status.ObservedGeneration {
		return rolloutStatus{msg: "Waiting for statefulset spec update to be observed..."}
	}
	if s.Spec.Replicas != nil && s.Status.ReadyReplicas < *s.Spec.Replicas {
		return rolloutStatus{msg: fmt.Sprintf("Waiting for %d pods to be ready...", *s.Spec.Replicas-s.Status.ReadyReplicas)}
	}
	if ru := s.Spec.UpdateStrategy.RollingUpdate; ru != nil {
		if s.Spec.Replicas != nil && ru.Partition != nil && s.Status.UpdatedReplicas < *s.Spec.Replicas-*ru.Partition {
			return rolloutStatus{msg: fmt.Sprintf("Waiting for partitioned roll out to finish: %d out of %d new pods have been updated...",
				s.Status.UpdatedReplicas, *s.Spec.Replicas-*ru.Partition)}
		}
		return rolloutStatus{msg: fmt.Sprintf("partitioned roll out complete: %d new pods have been updated...", s.Status.UpdatedReplicas), done: true}
	}
	if s.Status.UpdateRevision != s.Status.CurrentRevision {
		return rolloutStatus{msg: fmt.Sprintf("waiting for statefulset rolling update to complete %d pods at revision %s...",
			s.Status.UpdatedReplicas, s.Status.UpdateRevision)}
	}
	return rolloutStatus{msg: fmt.Sprintf("statefulset rolling update complete %d pods at revision %s...", s.Status.CurrentReplicas, s.Status.CurrentRevision), done: true}
}

// jobStatus reads a Job's terminal conditions (kubectl has no rollout
// status for Jobs; this is what `kubectl wait --for=condition=complete`
// would judge).
func jobStatus(j *batchv1.Job) rolloutStatus {
	for _, c := range j.Status.Conditions {
		if c.Status != corev1.ConditionTrue {
			continue
		}
		switch c.Type {
		case batchv1.JobComplete:
			return rolloutStatus{msg: fmt.Sprintf("job %q completed: %d succeeded", j.Name, j.Status.Succeeded), done: true}
		case batchv1.JobFailed:
			return rolloutStatus{msg: fmt.Sprintf("job %q failed: %s", j.Name, c.Reason), failed: true}
		}
	}
	want := jobCompletions(j)
	return rolloutStatus{msg: fmt.Sprintf("Waiting for job %q: %d of %d completions succeeded, %d active, %d failed",
		j.Name, j.Status.Succeeded, want, j.Status.Active, j.Status.Failed)}
}

// jobCompletions is the completions a Job needs: spec.completions, else
// (a work queue) its parallelism, else 1.
func jobCompletions(j *batchv1.Job) int32 {
	switch {
	case j.Spec.Completions != nil:
		return *j.Spec.Completions
	case j.Spec.Parallelism != nil:
		return *j.Spec.Parallelism
	}
	return 1
}

// podsStatus is the status without a readable owner (or without one at
// all): from the newest revision's pods and whether older ones remain. note
// says why, appended to the sentence when not empty.
func podsStatus(newest Revision, old int, desired *int32, note string) rolloutStatus {
	want := newest.Pods
	if desired != nil {
		want = int(*desired)
	}
	var st rolloutStatus
	switch {
	case newest.Pods > 0 && newest.Failed == newest.Pods:
		st = rolloutStatus{msg: fmt.Sprintf("all %d new pods failed", newest.Pods), failed: true}
	case newest.Ready < want:
		st.msg = fmt.Sprintf("%d of %d new pods ready", newest.Ready, want)
	case old > 0:
		st.msg = fmt.Sprintf("%d old pods pending termination", old)
	default:
		st = rolloutStatus{msg: fmt.Sprintf("%d of %d pods ready", newest.Ready, want), done: true}
	}
	if note != "" {
		st.msg += " (" + note + ")"
	}
	return st
}
