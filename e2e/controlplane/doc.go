// Package controlplane starts real Kubernetes components for end-to-end
// tests, from binaries built by `make controlplane` (bin/controlplane, or
// $INITWATCH_CP_BIN): free loopback ports, a temporary folder, a throw-away
// CA that signs the serving and client certificates, RBAC on, and every
// process in its own process group so that Stop leaves nothing running.
//
// # Two sizes
//
// The small cluster (Start, Shared.Get) is etcd and kube-apiserver only.
// Nothing acts on the objects: a test writes pods and their statuses itself,
// as a kubelet would (package podgen), which pins every field exactly. The
// apiserver can be stopped and started again on the same port and etcd.
//
// The whole cluster (StartCluster, Shared.Cluster) adds kube-controller-
// manager, kube-scheduler and kwok: `kubectl apply` of a Deployment makes the
// real controllers create its ReplicaSet and pods, the scheduler binds them
// to kwok's nodes (DefaultNodes: two with capacity, one cordoned) and kwok
// plays the kubelet with the Stages of testdata/kwok/kubelet: init
// containers one at a time, failures, CrashLoopBackOff with the kubelet's
// back-off, native sidecars, Ready, Job completion, Terminating. It serves
// the seed app's logs (testdata/kwok/seed-logs.yaml), current and previous.
//
// # Using the whole cluster
//
//	c := shared.Cluster(t)                  // or StartClusterForTest(t, ClusterOptions{})
//	cs, _ := c.AdminClient()
//	podgen.EnsureNamespaces(ctx, cs, []string{ns})
//	app, _ := controlplane.Fixture("seed-app.yaml")
//	app.Replicas(6).Steer(controlplane.Steer{
//		Fail: "init-check-services", FailTimes: 2, // fails twice, then succeeds
//		ExitCode: 1, Message: "app-redis is not available yet",
//		BackoffSeconds: 1,                         // CrashLoopBackOff 1 s, 2 s, ...
//		Step: 500 * time.Millisecond,              // time between kubelet writes
//	})
//	c.Apply(ctx, ns, app)                     // kubectl apply -n ns -f -
//	c.WaitRollout(ctx, ns, "deployment/k8s-init-containers") // kubectl rollout status
//	c.Kubectl(ctx, "set", "image", "-n", ns, "deployment/k8s-init-containers", "app=loftsh/app:v2")
//	controlplane.WaitPods(ctx, cs, ns, "app.kubernetes.io/name=devspace-app",
//		func(pods []*corev1.Pod) bool { return len(pods) == 6 })
//
// Steer's fields become pod-template annotations (AnnotationFail, ...; the
// whole vocabulary is in testdata/kwok/kubelet/README.md), so each workload,
// and each revision of it, says how its pods behave. Changing them rolls out
// a new revision, like any change to the template.
//
// Waiting never sleeps: WaitFor lists then watches and checks its condition
// on every change (WaitPods, WaitDeployment, WaitNodesReady are its typed
// forms), and WaitRollout is `kubectl rollout status --watch`.
//
// # What running the controllers with kwok takes
//
//   - kube-controller-manager and kube-scheduler come from the same pinned
//     k8s.io/kubernetes module as kube-apiserver, with the same version
//     ldflags (hack/controlplane/kube-apiserver lists all three as tools, so
//     its go.sum covers them).
//   - Leader election off, a free --secure-port each (10257 and 10259 may be
//     taken), the admin kubeconfig for --kubeconfig, authentication and
//     authorization; /healthz on the secure port tells when each is up.
//   - The service-account and root-CA controllers get the apiserver's key
//     and CA (--service-account-private-key-file, --root-ca-file); the
//     default ServiceAccount appearing in "default" shows the controllers
//     run. The ServiceAccount admission plugin stays off, as in the small
//     cluster: pods never wait for their namespace's account.
//   - The node lifecycle controller is off: kwok's nodes send no heartbeat,
//     and after the grace period it would taint them unreachable and evict
//     every pod. With it off, the apiserver's TaintNodesByCondition
//     admission plugin must be off too: it taints each new Node not-ready
//     and only that controller removes the taint. Nodes are created with
//     their status (capacity, Ready, InternalIP 127.0.0.1, kwok's port as
//     the kubelet port, where the apiserver asks for logs), as a kubelet
//     registers. No Hostname address: the apiserver tries it first for
//     logs, and a kwok node's name resolves nowhere.
//   - kwok manages no node, hence no pod, unless its configuration holds at
//     least one Node Stage (it starts its node controller only then);
//     testdata/kwok/kubelet/node-ready.yaml is that Stage.
//   - kwok picks one Stage at random among those that match a pod, so the
//     Stages' selectors must exclude each other; a Stage's delay is taken
//     when kwok sees the pod, and any later change of the pod (a deletion)
//     replaces the pending Stage. Delays set without jitter are exact.
//   - Since Kubernetes 1.27 the kubelet gives a deleted pod a terminal phase
//     once its containers stop, before removing it: kubectl shows
//     Terminating, then Completed (or Error, Init:Error), then the pod is
//     gone. pod-stop.yaml does the same.
//   - Job pods carry a finalizer until the Job controller has counted them:
//     the delete Stage waits for it to go.
//   - kubectl's RESTARTS of an initialized pod counts only app containers
//     and sidecars: the seed pod whose init-check-services failed twice
//     reads "1/1 Running 0" once Running.
//   - Cost, measured on two shared cores: a whole cluster is up in about
//     10 s (etcd, apiserver, controllers, scheduler, kwok, nodes Ready); the
//     two-revision rollout of six replicas takes about 40 s with 400 ms
//     kubelet steps (11.3 s to start, 27 s to roll out, measured under -race).
package controlplane
