package dbprobe

import (
	"testing"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/octoha/octoha/steps"
)

func TestConfig(t *testing.T) {
	a := steps.Defaults()
	a.Database.Auth, a.Database.User = steps.AuthSQL, `octo;user`
	a.Database.Encrypt, a.Database.TrustServerCertificate, a.Database.MultiSubnetFailover = true, false, false
	const pw = `p@ss;word=x&y/z'"` + "`"
	cfg, err := config(a, steps.SQLServer{Host: "sql01", Instance: "OCTO"}, pw, "Octo pus;x")
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
	cfg, err = config(a, steps.SQLServer{Host: "fe80::1", Port: 1433}, pw, "")
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
