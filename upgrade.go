package main

import (
	"errors"

	"github.com/octoha/octoha/export"
	"github.com/octoha/octoha/steps"
)

// upgradeOptions are `octoha upgrade`'s flags.
type upgradeOptions struct {
	Answers string
	To      steps.OctopusVersion
	Out     string
	Force   bool
	Ignore  []string
}

// versionFlag is --to: an Octopus version, refused at parse time when it
// does not read as one.
type versionFlag struct{ v *steps.OctopusVersion }

func (f versionFlag) String() string {
	if f.v == nil || *f.v == nil {
		return ""
	}
	return f.v.String()
}

func (f versionFlag) Set(s string) error {
	v, err := steps.ParseOctopusVersion(s)
	if err != nil {
		return err
	}
	*f.v = v
	return nil
}

// parseUpgrade reads `octoha upgrade`'s arguments.
func parseUpgrade(args []string) (upgradeOptions, error) {
	var o upgradeOptions
	f := newFlagSet("octoha upgrade --answers FILE --to VERSION --out DIR [--force] [--ignore ID,...]",
		"Writes the runbook for upgrading every node of a running cluster to VERSION into DIR: UPGRADE.md,\n"+
			"in the order of the Octopus upgrade guide, its scripts, and the answers at VERSION\n"+
			"(octoha-answers.yaml). VERSION must be newer than octopus.version in the answers: an older\n"+
			"or the same version is refused (exit 2), and so is a VERSION that lacks a feature the\n"+
			"answers use (exit 1).")
	f.fs.StringVar(&o.Answers, "answers", "", "the running cluster's answers `FILE` (required)")
	f.fs.Var(versionFlag{&o.To}, "to", "the Octopus `VERSION` to upgrade to, such as "+string(steps.DefaultOctopusVersion)+" (required)")
	f.fs.StringVar(&o.Out, "out", "", "the `DIR` to write the runbook into (required; created if missing)")
	f.fs.BoolVar(&o.Force, "force", false, "overwrite files that already exist")
	f.fs.Var((*ignoreList)(&o.Ignore), "ignore", ignoreUsage)
	f.required = []string{"answers", "to", "out"}
	return o, f.parse(args)
}

// runUpgrade writes the upgrade runbook.
func runUpgrade(s *streams, o upgradeOptions) error {
	file, err := steps.Load(o.Answers)
	if err != nil {
		return err
	}
	res, err := export.Upgrade(file.Answers, export.UpgradeOptions{To: o.To, Dir: o.Out, Force: o.Force, Ignore: o.Ignore})
	var refused *steps.UpgradeRefused
	if errors.As(err, &refused) {
		return &flagRefused{flag: "--to", msg: refused.Error()}
	}
	// The new version came from --to; every other field is the file's.
	inFile := fileLocator(file)
	where := func(field string) string {
		if field == steps.FieldOctopusVersion {
			return "--to"
		}
		return inFile(field)
	}
	return reportWrite(s, where, res, err, "the answers at the new version")
}
