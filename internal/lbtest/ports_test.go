package lbtest

import (
	"fmt"
	"net"
	"testing"
)

func TestFreePortHandsOutEachPortOnce(t *testing.T) {
	seen := map[int]bool{}
	for range 50 {
		p := FreePort(t)
		if seen[p] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p] = true
		if p < portsFrom || p >= ephemeralFrom() {
			t.Errorf("port %d is outside %d-%d, below the kernel's ephemeral range", p, portsFrom, ephemeralFrom()-1)
		}
	}
	// The block is this process's: another process could not claim it.
	name := fmt.Sprintf("@octoha-lbtest-ports-%d", (portBlock.first-portsFrom)/blockSize)
	if ln, err := net.Listen("unix", name); err == nil {
		ln.Close()
		t.Errorf("the block claim %s was free to take", name)
	}
}

func TestFreePortSkipsABoundPort(t *testing.T) {
	p := FreePort(t)
	// Hold the next port in turn, as a foreign process might.
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p+1))
	if err != nil {
		t.Skipf("port %d is already taken: %v", p+1, err)
	}
	defer ln.Close()
	if q := FreePort(t); q == p+1 {
		t.Fatalf("FreePort returned %d, which is bound", q)
	}
}

func TestListenRunIsConsecutive(t *testing.T) {
	lns := ListenRun(t, 3)
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
	}()
	first := lns[0].Addr().(*net.TCPAddr).Port
	for i, ln := range lns {
		if p := ln.Addr().(*net.TCPAddr).Port; p != first+i {
			t.Fatalf("listener %d is on port %d, want %d", i, p, first+i)
		}
	}
}
