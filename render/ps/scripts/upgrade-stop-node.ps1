#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 2 of the upgrade to ${octoha:TargetVersion}: drains and stops node ${octoha:NodeName} (octoha).
.DESCRIPTION
    Run this on node ${octoha:NodeName}, after upgrade-preflight.ps1, and run the
    script of every other node too: the upgrade guide stops every node
    before any node is upgraded, so that no node running ${octoha:CurrentVersion}
    touches the upgraded database
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).

    It drains the node (no new tasks; running ones may finish, for up to
    -WaitSeconds), then stops the Octopus service, with the commands of
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades
    (node --drain=true --wait, service --stop). The node stays drained
    until its upgrade-install script undrains it.

    Safe to run twice: a stopped service is left stopped. Run it with
    -WhatIf to see every step first. The run is logged under
    $env:ProgramData\octoha\logs; this script handles no secret.
.PARAMETER WaitSeconds
    How long node --drain waits for running tasks (--wait).
#region octoha:!wait-bug-fixed
    Octopus before ${octoha:WaitBugFixedIn} cuts waits over 300 seconds short
    (https://github.com/OctopusDeploy/Issues/issues/9561): the cluster runs
    ${octoha:CurrentVersion} until it is upgraded, so keep the wait at 300 or check
    Configuration > Nodes before the service stops.
#endregion octoha:!wait-bug-fixed
.PARAMETER CancelTasks
    Cancel the tasks still running when the wait ends (--cancel-tasks).
    Without it, tasks still running when the service stops are cut off.
.PARAMETER CancelWaitSeconds
    How long to wait for cancelled tasks to stop (--cancel-wait). The flag
    exists from May 2024 (https://github.com/OctopusDeploy/Issues/issues/8785; its first build is not known):
    leave it at 0 on older builds, and the flag is not passed.
.EXAMPLE
    .\${octoha:ScriptFile} -WaitSeconds 300
    Drains, waits up to five minutes for running tasks, then stops the service.
.EXAMPLE
    .\${octoha:ScriptFile} -WaitSeconds 300 -CancelTasks
.EXAMPLE
    .\${octoha:ScriptFile} -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [ValidateRange(0, 86400)]
    [int] $WaitSeconds = 300,
    [switch] $CancelTasks,
    [ValidateRange(0, 86400)]
    [int] $CancelWaitSeconds = 0
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-stop-node'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common server-exe

# octoha:common drain-arguments

# octoha:common upgrade-node-helpers

# octoha:common node-check

# octoha:common transcript-start
try {
# octoha:common upgrade-node-checks

# Upgrading the MSI upgrades every instance on the machine, so the upgrade
# guide stops them all
# (https://octopus.com/docs/administration/upgrading/guide/automate-upgrades).
$others = @($instances | Where-Object { $_ -ne $Instance })
if ($others.Count -gt 0) {
    Write-Warning ('This machine has other Octopus Server instances too ({0}): the MSI upgrades them all, so stop them as well before the install.' -f ($others -join ', '))
}

$status = Get-ServiceStatus
if ($status -eq '') {
    throw ('The service {0} is not installed on this machine. Nothing was changed. Run this on node {1} itself.' -f $ServiceName, $NodeName)
}
if ($status -ne 'Running') {
    Write-Output ('The service {0} is {1}: the node is already stopped.' -f $ServiceName, $status)
}
else {
    $drainArguments = @(Get-DrainArgument -Version $CurrentVersion)
    if ($PSCmdlet.ShouldProcess($NodeName, ('Drain the node and wait up to {0} seconds for its tasks' -f $WaitSeconds))) {
        Invoke-OctopusServer -Command 'node' -Arguments $drainArguments
    }
    if ($PSCmdlet.ShouldProcess($ServiceName, 'Stop the Octopus service')) {
        Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--stop')
        $status = Get-ServiceStatus
        if ($status -eq 'Running') {
            throw ('service --stop ran, but the service {0} still runs. Stop it in services.msc, then run this again.' -f $ServiceName)
        }
    }
}
Write-Outcome -Done @(('Node {0} is drained and stopped. Once every node is stopped, back up the database, then run upgrade-install-{1}.ps1 on the first node (UPGRADE.md, steps 3 and 4).' -f $NodeName, $FirstNodeName))
}
finally {
    # octoha:common transcript-stop
}
