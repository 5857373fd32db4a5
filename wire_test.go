package main

import (
	"context"
	"testing"
	"time"

	"github.com/octoha/octoha/internal/tdsfake"
	"github.com/octoha/octoha/steps"
	"github.com/octoha/octoha/validate"
)

// Without the SQL password the probe's login must fail; that is a step not
// checked, not a wrong answer, so it is a warning that says how to check it.
func TestDatabaseProbeWithoutPasswordWarns(t *testing.T) {
	fake := tdsfake.Start(t, tdsfake.Config{Encryption: tdsfake.EncryptionNotSupported, Login: "octo", Password: "right"})
	a := steps.Defaults()
	a.Database.Server, a.Database.Port = fake.Host(), fake.Port()
	a.Database.Auth, a.Database.User, a.Database.Encrypt = steps.AuthSQL, "octo", false
	probe := liveOptions(3*time.Second, secretsFromEnv()).Database

	login := func(password string) validate.Findings {
		var out validate.Findings
		for _, f := range probe(context.Background(), a, password) {
			if f.ID == "db.login" {
				out = append(out, f)
			}
		}
		return out
	}
	noPassword := login("")
	if len(noPassword) != 1 || noPassword[0].Severity != validate.Warning || noPassword[0].Message != "the SQL login was not tried: no password was given" {
		t.Errorf("without a password: %v", noPassword)
	}
	if wrong := login("wrong"); len(wrong) != 1 || wrong[0].Severity != validate.Error {
		t.Errorf("a wrong password must stay an error: %v", wrong)
	}
}
