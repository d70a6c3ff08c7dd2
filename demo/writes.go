package demo

import (
	"context"
	"fmt"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Field managers, as the real components identify themselves; the informer
// transform drops the managedFields they leave behind.
const (
	managerKubectl    = "kubectl-create"
	managerController = "kube-controller-manager"
	managerScheduler  = "kube-scheduler"
	managerKubelet    = "kubelet"
)

// stamp is the current simulated time with the one-second precision a
// metav1.Time keeps on its way through a real apiserver.
func (c *Cluster) stamp() metav1.Time { return metav1.NewTime(c.now().Truncate(time.Second)) }

// bg is the context of the simulator's writes: the fake clientset does not
// block, and a write must never be cut in half by Run stopping.
func bg() context.Context { return context.Background() }

func (c *Cluster) createPod(pod *corev1.Pod, manager string) {
	if !c.beforeWrite() {
		return
	}
	pod.ResourceVersion = c.nextRV("pods")
	_, err := c.client.CoreV1().Pods(pod.Namespace).Create(bg(), pod.DeepCopy(), metav1.CreateOptions{FieldManager: manager})
	if err != nil {
		c.fail(fmt.Errorf("create pod %s/%s: %w", pod.Namespace, pod.Name, err))
	}
}

// updatePod writes the whole object, status included: what a binding or a
// graceful delete changes on a real apiserver in one step.
func (c *Cluster) updatePod(pod *corev1.Pod, manager string) {
	if !c.beforeWrite() {
		return
	}
	pod.ResourceVersion = c.nextRV("pods")
	_, err := c.client.CoreV1().Pods(pod.Namespace).Update(bg(), pod.DeepCopy(), metav1.UpdateOptions{FieldManager: manager})
	if err != nil {
		c.fail(fmt.Errorf("update pod %s/%s: %w", pod.Namespace, pod.Name, err))
	}
}

func (c *Cluster) updateStatus(pod *corev1.Pod) {
	if !c.beforeWrite() {
		return
	}
	pod.ResourceVersion = c.nextRV("pods")
	_, err := c.client.CoreV1().Pods(pod.Namespace).UpdateStatus(bg(), pod.DeepCopy(), metav1.UpdateOptions{FieldManager: managerKubelet})
	if err != nil {
		c.fail(fmt.Errorf("update status of pod %s/%s: %w", pod.Namespace, pod.Name, err))
	}
}

func (c *Cluster) deletePod(p *simPod) {
	if !c.beforeWrite() {
		return
	}
	zero := int64(0)
	err := c.client.CoreV1().Pods(p.pod.Namespace).Delete(bg(), p.pod.Name, metav1.DeleteOptions{GracePeriodSeconds: &zero})
	if err != nil {
		c.fail(fmt.Errorf("delete pod %s/%s: %w", p.pod.Namespace, p.pod.Name, err))
	}
}

func (c *Cluster) createEvent(ev *corev1.Event) {
	if !c.beforeWrite() {
		return
	}
	ev.ResourceVersion = c.nextRV("events")
	if _, err := c.client.CoreV1().Events(ev.Namespace).Create(bg(), ev.DeepCopy(), metav1.CreateOptions{}); err != nil {
		c.fail(fmt.Errorf("create event %s/%s: %w", ev.Namespace, ev.Name, err))
	}
}

func (c *Cluster) updateEvent(ev *corev1.Event) {
	if !c.beforeWrite() {
		return
	}
	ev.ResourceVersion = c.nextRV("events")
	if _, err := c.client.CoreV1().Events(ev.Namespace).Update(bg(), ev.DeepCopy(), metav1.UpdateOptions{}); err != nil {
		c.fail(fmt.Errorf("update event %s/%s: %w", ev.Namespace, ev.Name, err))
	}
}

func (c *Cluster) createNamespace(name string) {
	if !c.beforeWrite() {
		return
	}
	ns := &corev1.Namespace{
		ObjectMeta: metav1.ObjectMeta{
			Name:              name,
			UID:               c.uid(),
			ResourceVersion:   c.nextRV("namespaces"),
			CreationTimestamp: metav1.NewTime(c.start.Add(-30 * 24 * time.Hour)),
			Labels:            map[string]string{"kubernetes.io/metadata.name": name},
		},
		Spec:   corev1.NamespaceSpec{Finalizers: []corev1.FinalizerName{corev1.FinalizerKubernetes}},
		Status: corev1.NamespaceStatus{Phase: corev1.NamespaceActive},
	}
	if _, err := c.client.CoreV1().Namespaces().Create(bg(), ns, metav1.CreateOptions{}); err != nil {
		c.fail(fmt.Errorf("create namespace %s: %w", name, err))
	}
}

func (c *Cluster) createNode(n *corev1.Node) {
	if !c.beforeWrite() {
		return
	}
	n.ResourceVersion = c.nextRV("nodes")
	if _, err := c.client.CoreV1().Nodes().Create(bg(), n.DeepCopy(), metav1.CreateOptions{}); err != nil {
		c.fail(fmt.Errorf("create node %s: %w", n.Name, err))
	}
}

func (c *Cluster) createDeployment(d *appsv1.Deployment) {
	if !c.beforeWrite() {
		return
	}
	d.ResourceVersion = c.nextRV("deployments")
	if _, err := c.client.AppsV1().Deployments(d.Namespace).Create(bg(), d.DeepCopy(), metav1.CreateOptions{FieldManager: managerKubectl}); err != nil {
		c.fail(fmt.Errorf("create deployment %s/%s: %w", d.Namespace, d.Name, err))
	}
}

// updateDeployment writes d whole (spec and status), as the deployment
// controller's status updates and `kubectl apply` together would leave it.
func (c *Cluster) updateDeployment(d *appsv1.Deployment) {
	if !c.beforeWrite() {
		return
	}
	d.ResourceVersion = c.nextRV("deployments")
	if _, err := c.client.AppsV1().Deployments(d.Namespace).Update(bg(), d.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("update deployment %s/%s: %w", d.Namespace, d.Name, err))
	}
}

func (c *Cluster) writeReplicaSet(rs *appsv1.ReplicaSet, create bool) {
	if !c.beforeWrite() {
		return
	}
	rs.ResourceVersion = c.nextRV("replicasets")
	var err error
	if create {
		_, err = c.client.AppsV1().ReplicaSets(rs.Namespace).Create(bg(), rs.DeepCopy(), metav1.CreateOptions{FieldManager: managerController})
	} else {
		_, err = c.client.AppsV1().ReplicaSets(rs.Namespace).Update(bg(), rs.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController})
	}
	if err != nil {
		c.fail(fmt.Errorf("write replicaset %s/%s: %w", rs.Namespace, rs.Name, err))
	}
}

func (c *Cluster) createStatefulSet(s *appsv1.StatefulSet) {
	if !c.beforeWrite() {
		return
	}
	s.ResourceVersion = c.nextRV("statefulsets")
	if _, err := c.client.AppsV1().StatefulSets(s.Namespace).Create(bg(), s.DeepCopy(), metav1.CreateOptions{FieldManager: managerKubectl}); err != nil {
		c.fail(fmt.Errorf("create statefulset %s/%s: %w", s.Namespace, s.Name, err))
	}
}

// updateStatefulSet writes s whole, as the statefulset controller's status
// updates leave it.
func (c *Cluster) updateStatefulSet(s *appsv1.StatefulSet) {
	if !c.beforeWrite() {
		return
	}
	s.ResourceVersion = c.nextRV("statefulsets")
	if _, err := c.client.AppsV1().StatefulSets(s.Namespace).Update(bg(), s.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("update statefulset %s/%s: %w", s.Namespace, s.Name, err))
	}
}

func (c *Cluster) createDaemonSet(d *appsv1.DaemonSet) {
	if !c.beforeWrite() {
		return
	}
	d.ResourceVersion = c.nextRV("daemonsets")
	if _, err := c.client.AppsV1().DaemonSets(d.Namespace).Create(bg(), d.DeepCopy(), metav1.CreateOptions{FieldManager: managerKubectl}); err != nil {
		c.fail(fmt.Errorf("create daemonset %s/%s: %w", d.Namespace, d.Name, err))
	}
}

// updateDaemonSet writes d whole, as the daemonset controller's status
// updates leave it.
func (c *Cluster) updateDaemonSet(d *appsv1.DaemonSet) {
	if !c.beforeWrite() {
		return
	}
	d.ResourceVersion = c.nextRV("daemonsets")
	if _, err := c.client.AppsV1().DaemonSets(d.Namespace).Update(bg(), d.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("update daemonset %s/%s: %w", d.Namespace, d.Name, err))
	}
}

func (c *Cluster) createCronJob(j *batchv1.CronJob) {
	if !c.beforeWrite() {
		return
	}
	j.ResourceVersion = c.nextRV("cronjobs")
	if _, err := c.client.BatchV1().CronJobs(j.Namespace).Create(bg(), j.DeepCopy(), metav1.CreateOptions{FieldManager: managerKubectl}); err != nil {
		c.fail(fmt.Errorf("create cronjob %s/%s: %w", j.Namespace, j.Name, err))
	}
}

func (c *Cluster) updateCronJob(j *batchv1.CronJob) {
	if !c.beforeWrite() {
		return
	}
	j.ResourceVersion = c.nextRV("cronjobs")
	if _, err := c.client.BatchV1().CronJobs(j.Namespace).Update(bg(), j.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("update cronjob %s/%s: %w", j.Namespace, j.Name, err))
	}
}

func (c *Cluster) createJob(j *batchv1.Job) {
	if !c.beforeWrite() {
		return
	}
	j.ResourceVersion = c.nextRV("jobs")
	if _, err := c.client.BatchV1().Jobs(j.Namespace).Create(bg(), j.DeepCopy(), metav1.CreateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("create job %s/%s: %w", j.Namespace, j.Name, err))
	}
}

func (c *Cluster) updateJob(j *batchv1.Job) {
	if !c.beforeWrite() {
		return
	}
	j.ResourceVersion = c.nextRV("jobs")
	if _, err := c.client.BatchV1().Jobs(j.Namespace).Update(bg(), j.DeepCopy(), metav1.UpdateOptions{FieldManager: managerController}); err != nil {
		c.fail(fmt.Errorf("update job %s/%s: %w", j.Namespace, j.Name, err))
	}
}
