package validate

import (
	"math/rand/v2"
	"net"
	"testing"
)

// parseIP skips net.ParseIP only for values that cannot be an address.
func TestParseIPIsNetParseIP(t *testing.T) {
	cases := []string{"", ".", "1.2.3.4", "1.2.3.4.", "01.2.3.4", "::1", "::ffff:1.2.3.4", "fe80::1%eth0",
		"1.2.3", "256.1.1.1", "octo1.corp.local", "1e3", "a:b", "[::1]", " 1.2.3.4"}
	r := rand.New(rand.NewPCG(1, 2))
	const alphabet = "0123456789.:abcdefx%[] "
	for range 20000 {
		b := make([]byte, r.IntN(20))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		cases = append(cases, string(b))
	}
	for _, s := range cases {
		if got, want := parseIP(s), net.ParseIP(s); !got.Equal(want) || (got == nil) != (want == nil) {
			t.Errorf("parseIP(%q) = %v, net.ParseIP %v", s, got, want)
		}
	}
}
