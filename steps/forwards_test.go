package steps

import (
	"reflect"
	"testing"
)

// The balancer forwards each node's own comms port for unique-port
// polling, one balanced base port for Redis, nothing otherwise; a node
// whose comms port is set keeps it when others leave.
func TestPollingForwards(t *testing.T) {
	a := Defaults()
	a.Tentacles.Mode, a.Tentacles.BasePort = ModePolling, 10943
	a.Nodes = []Node{{Name: "OCTO1"}, {Name: "OCTO3", CommsPort: 10945}}
	for polling, want := range map[string][]PollingForward{
		PollingUniquePort:    {{Port: 10943, Node: 0}, {Port: 10945, Node: 1}},
		PollingRedis:         {{Port: 10943, Node: -1}},
		PollingUniqueAddress: nil,
	} {
		a.Tentacles.Polling = polling
		if got := a.PollingForwards(); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", polling, got, want)
		}
	}
	a.Tentacles.Mode = ModeListening
	if got := a.PollingForwards(); got != nil {
		t.Errorf("listening tentacles: got %v", got)
	}
}
