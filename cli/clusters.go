package cli

import (
	"github.com/initwatch/initwatch/kube"
)

// multiCluster is what watching several contexts at once needs: one
// source merging every cluster's batches, and log streams routed to each
// pod's own cluster.
type multiCluster struct {
	contexts []string
	source   kube.PodSource
	logs     kube.LogSource // nil when env.NewSource replaces the cluster (tests)
}

// newMultiCluster builds a source per context, each resolving its
// credentials as kubectl --context NAME would (exec plugins included; the
// client config is non-interactive). A context whose configuration fails
// (a broken kubeconfig entry) is shown unreachable with the reason and
// retried; it never stops the others.
// configure sets what each cluster's source watches beyond pods (events,
// owners), as the single-cluster form of the command does.
func newMultiCluster(env *Env, flags *kube.ConfigFlags, contexts []string, configure func(*kube.Options)) *multiCluster {
	newSource := env.NewSource
	if newSource == nil {
		newSource = newClusterSource
	}
	m := &multiCluster{contexts: contexts}
	logs := kube.ContextLogs{}
	clusters := make([]kube.Cluster, 0, len(contexts))
	for _, name := range contexts {
		cf := flags.ForContext(name)
		clusters = append(clusters, kube.Cluster{Context: name, New: func() (kube.PodSource, error) {
			opts, err := cf.SourceOptions()
			if err != nil {
				return nil, err
			}
			if configure != nil {
				configure(&opts)
			}
			opts.Context = name
			return newSource(cf, opts)
		}})
		if env.NewSource == nil {
			// Building a clientset reads the kubeconfig only; credentials
			// (exec plugins) are fetched when a stream is opened.
			if cs, err := cf.Clientset(); err == nil {
				logs[name] = kube.NewLogSource(cs, kube.LogStreamOptions{})
			}
		}
	}
	m.source = kube.NewMultiSource(clusters)
	if env.NewSource == nil {
		m.logs = logs
	}
	return m
}
