package cli
import ("testing";"runtime/debug")
func TestBI(t *testing.T){ bi,ok:=debug.ReadBuildInfo(); t.Logf("%v %s %d", ok, bi.Main.Path, len(bi.Deps)); for _,d:=range bi.Deps{ if d.Path=="k8s.io/client-go"{t.Log(d)}} }
