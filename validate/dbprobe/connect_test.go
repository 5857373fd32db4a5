package dbprobe

import (
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/octoha/octoha/steps"
)

func TestParseServer(t *testing.T) {
	cases := []struct {
		server string
		port   int
		want   target
	}{
		{"sql01.corp.local", 0, target{host: "sql01.corp.local"}},
		{"sql01.corp.local", 1433, target{host: "sql01.corp.local", port: 1433}},
		{`sql01\OCTOPUS`, 0, target{host: "sql01", instance: "OCTOPUS"}},
		{`tcp:AGListener,1433`, 0, target{host: "AGListener", port: 1433}},
		{`TCP:sql01\INST,14330`, 0, target{host: "sql01", instance: "INST", port: 14330}},
		{`sql01,1500`, 1433, target{host: "sql01", port: 1433}}, // database.port wins
		{`  sql01  `, 0, target{host: "sql01"}},
	}
	for _, tc := range cases {
		if got := parseServer(tc.server, tc.port); got != tc.want {
			t.Errorf("parseServer(%q, %d) = %+v, want %+v", tc.server, tc.port, got, tc.want)
		}
	}
}

func TestConfig(t *testing.T) {
	a := steps.Defaults()
	a.Database.Auth, a.Database.User = steps.AuthSQL, `octo;user`
	a.Database.Encrypt, a.Database.TrustServerCertificate, a.Database.MultiSubnetFailover = true, false, false
	const pw = `p@ss;word=x&y/z'"` + "`"
	cfg, err := config(a, target{host: "sql01", instance: "OCTO", port: 0}, pw, "Octo pus;x")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != "sql01" || cfg.Instance != "OCTO" || cfg.Port != 0 {
		t.Errorf("host/instance/port = %q/%q/%d", cfg.Host, cfg.Instance, cfg.Port)
	}
	if cfg.User != a.Database.User || cfg.Password != pw || cfg.Database != "Octo pus;x" {
		t.Errorf("user/password/database did not survive escaping: %q %q %q", cfg.User, cfg.Password, cfg.Database)
	}
	if cfg.Encryption != msdsn.EncryptionRequired || cfg.TrustServerCertificate || cfg.MultiSubnetFailover {
		t.Errorf("encryption %v trust %v msf %v", cfg.Encryption, cfg.TrustServerCertificate, cfg.MultiSubnetFailover)
	}
	if cfg.AppName != "octoha" {
		t.Errorf("app name %q", cfg.AppName)
	}

	a.Database.Auth, a.Database.Encrypt, a.Database.MultiSubnetFailover = steps.AuthWindows, false, true
	cfg, err = config(a, target{host: "fe80::1", port: 1433}, pw, "")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.User != "" || cfg.Password != "" {
		t.Errorf("Windows auth must send no SQL credentials, got %q/%q", cfg.User, cfg.Password)
	}
	if cfg.Host != "fe80::1" || cfg.Port != 1433 || cfg.Encryption != msdsn.EncryptionOff || !cfg.MultiSubnetFailover {
		t.Errorf("host %q port %d encryption %v msf %v", cfg.Host, cfg.Port, cfg.Encryption, cfg.MultiSubnetFailover)
	}
}

func TestSameHost(t *testing.T) {
	cases := []struct {
		host, listener string
		want           bool
	}{
		{"aglisten", "AGLISTEN", true},
		{"aglisten.corp.local", "aglisten", true},
		{"sql01.corp.local", "aglisten", false},
		{"10.0.0.5", "10", false},
	}
	for _, tc := range cases {
		if got := sameHost(tc.host, tc.listener); got != tc.want {
			t.Errorf("sameHost(%q, %q) = %v", tc.host, tc.listener, got)
		}
	}
}
