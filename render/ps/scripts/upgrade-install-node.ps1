#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
#region octoha:first
    Step 4 of the upgrade to ${octoha:TargetVersion}: installs it on the first node, ${octoha:NodeName}, and upgrades the database (octoha).
#endregion octoha:first
#region octoha:!first
    Step 5 of the upgrade to ${octoha:TargetVersion}: installs it on node ${octoha:NodeName} (octoha).
#endregion octoha:!first
.DESCRIPTION
    Run this on node ${octoha:NodeName}, once its upgrade-stop script has stopped it.
    It follows the High Availability part of the upgrade guide
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases):
#region octoha:first
    one node is upgraded first and upgrades the database; upgrading every
    node at once "will most likely lead to deadlocks in the database". So
    before it installs anything it checks that every other node
    (${octoha:OtherNodeNames}) is stopped: their ping URLs must not answer, and
    it refuses while one does.

    It installs the MSI quietly (msiexec /i <msi> /quiet), checks that
    Octopus.Server.exe is then ${octoha:TargetVersion}, upgrades the database schema
    once (database --upgrade), starts the service, waits until the node's
    ping URL answers, and undrains it (node --drain=false), the commands of
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades.
#endregion octoha:first
#region octoha:!first
    the first node, ${octoha:FirstNodeName}, must already run ${octoha:TargetVersion}
    (it upgraded the database), and every other node
    (${octoha:OtherNodeNames}) must be stopped or already upgraded: a node
    still running ${octoha:CurrentVersion} must not meet the upgraded database. The
    script refuses otherwise.

    It installs the MSI quietly (msiexec /i <msi> /quiet), checks that
    Octopus.Server.exe is then ${octoha:TargetVersion}, starts the service, waits
    until the node's ping URL answers and undrains it (node --drain=false),
    the commands of
    https://octopus.com/docs/administration/upgrading/guide/automate-upgrades.
    It never upgrades the database: the first node did.
#endregion octoha:!first

    Safe to run twice, and again after a failure at any step: it reads the
    installed FileVersion, the service's state and the ping before each
    step, and skips what is done. Run it with -WhatIf to see every step
    first. The run is logged under $env:ProgramData\octoha\logs, and
    msiexec's own log next to it; this script handles no secret.
.PARAMETER MsiPath
    The Octopus Server MSI for ${octoha:TargetVersion}, as upgrade-preflight.ps1 checked it.
.EXAMPLE
    .\${octoha:ScriptFile} -MsiPath '\\fs01\installers\Octopus.${octoha:TargetVersion}-x64.msi'
.EXAMPLE
    .\${octoha:ScriptFile} -MsiPath .\Octopus.${octoha:TargetVersion}-x64.msi -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [string] $MsiPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-install-node'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common upgrade-helpers

# octoha:common server-exe

# octoha:common upgrade-node-helpers

# octoha:common node-check

function Assert-OthersStopped {
    <#
    .SYNOPSIS
        Throws when another node still runs the old version: its ping URL
        answers, and its /api does not report the new version.
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory)]
        [string] $Before
    )
    # Read by key: for a node with no other node to check the list is
    # empty, and holds no hashtable whose keys the 5.1 check could see.
    $running = @(foreach ($node in $OtherNodes) {
            if ((Test-NodeRunning -Url $node['Url']) -and -not (Test-VersionNames -Version $TargetVersion -Installed (Get-NodeVersion -Url $node['Url']))) {
                $node['Name']
            }
        })
    if ($running.Count -gt 0) {
        throw ('Node(s) {0} still run, so {1} would meet nodes on {2}. Nothing more was changed. Run upgrade-stop-NODE.ps1 on each of them, then run this again.' -f ($running -join ', '), $Before, $CurrentVersion)
    }
}

function Wait-NodeUp {
    <#
    .SYNOPSIS
        Waits until this node's ping URL answers 200 (up) or 418 (up and
        drained), https://octopus.com/docs/installation/load-balancers.
    #>
    [CmdletBinding()]
    param(
        [int] $Attempts = 60
    )
    for ($attempt = 1; $attempt -le $Attempts; $attempt++) {
        if (Test-NodeRunning -Url $LocalUrl) {
            Write-Output ('Node {0} answers at {1}/api/octopusservernodes/ping.' -f $NodeName, $LocalUrl)
            return
        }
        Start-Sleep -Seconds 5
    }
    throw ('Node {0} did not answer 200 or 418 at {1}/api/octopusservernodes/ping after {2} attempts. Read the Octopus Server log in {3}, then run this again.' -f $NodeName, $LocalUrl, $Attempts, $HomeDir)
}

# octoha:common transcript-start
try {
# octoha:common upgrade-node-checks

$installed = Get-InstalledVersion
if (Test-VersionNames -Version $TargetVersion -Installed $installed) {
    Write-Output ('Octopus.Server.exe is {0}: already installed.' -f $installed)
}
else {
    if ((Get-ServiceStatus) -eq 'Running') {
        throw ('The service {0} still runs. Nothing was changed. Run {1} first.' -f $ServiceName, $StopScriptFile)
    }
#region octoha:!first
    $firstVersion = Get-NodeVersion -Url $FirstNodeUrl
    if (-not (Test-VersionNames -Version $TargetVersion -Installed $firstVersion)) {
        throw ('The first node, {0}, does not answer with {1} at {2}/api (it answered: {3}). Nothing was changed. Run upgrade-install-{0}.ps1 on it first: it upgrades the database.' -f $FirstNodeName, $TargetVersion, $FirstNodeUrl, "$firstVersion")
    }
#endregion octoha:!first
    Assert-OthersStopped -Before 'installing here'
    if (-not (Test-Path -LiteralPath $MsiPath -PathType 'Leaf')) {
        throw ('There is no file {0}. Pass the Octopus Server MSI for {1} as -MsiPath. Nothing was changed.' -f $MsiPath, $TargetVersion)
    }
    if ($PSCmdlet.ShouldProcess($MsiPath, ('Install Octopus Server {0} (msiexec /quiet)' -f $TargetVersion))) {
        # msiexec is a Windows program: Start-Process -Wait waits for it, and
        # its exit code is 0, or 3010 when Windows must restart
        # (https://learn.microsoft.com/windows/win32/msi/error-codes).
        $msiLog = [System.IO.Path]::Combine($LogDir, ('msiexec-{0:yyyyMMdd-HHmmss}.log' -f (Get-Date)))
        $msiArguments = @('/i', (ConvertTo-NativeArgument -Value $MsiPath), '/quiet', '/norestart', '/l*v', (ConvertTo-NativeArgument -Value $msiLog))
        $msiexec = [System.IO.Path]::Combine($env:SystemRoot, 'System32', 'msiexec.exe')
        $process = Start-Process -FilePath $msiexec -ArgumentList $msiArguments -Wait -PassThru
        if ($process.ExitCode -eq 3010) {
            Write-Warning 'msiexec asks for a restart of Windows (3010): restart this machine after the upgrade.'
        }
        elseif ($process.ExitCode -ne 0) {
            throw ('msiexec failed with exit code {0}. Read its log, {1}, then run this again.' -f $process.ExitCode, $msiLog)
        }
        $installed = Get-InstalledVersion
        if (-not (Test-VersionNames -Version $TargetVersion -Installed $installed)) {
            throw ('msiexec ran, but Octopus.Server.exe is {0}, not {1}. Read its log, {2}.' -f $installed, $TargetVersion, $msiLog)
        }
        Write-Output ('Octopus.Server.exe is {0}.' -f $installed)
    }
}

$status = Get-ServiceStatus
#region octoha:first
# The database is upgraded once, here. The marker in this node's home
# folder says it was, so a run after a later failure does not upgrade it
# again; database --upgrade would refuse while other nodes run from
# ${octoha:GuardSince} on, and Octopus ${octoha:TargetVersion} ${octoha:GuardWords}.
$upgradedMarker = [System.IO.Path]::Combine($HomeDir, ('octoha-database-upgraded-{0}.txt' -f $TargetVersion))
if (Test-Path -LiteralPath $upgradedMarker -PathType 'Leaf') {
    Write-Output ('The database was upgraded to {0} by an earlier run: already done.' -f $TargetVersion)
}
elseif ($status -eq 'Running') {
    throw ('The service {0} runs, but this script has not upgraded the database to {1}. Stop the service (service --stop), then run this again.' -f $ServiceName, $TargetVersion)
}
else {
    Assert-OthersStopped -Before 'the database upgrade'
    if ($PSCmdlet.ShouldProcess($SqlDatabase, ('Upgrade the database schema to {0} (database --upgrade)' -f $TargetVersion))) {
        Invoke-OctopusServer -Command 'database' -Arguments @('--instance', $Instance, '--upgrade')
        Set-Content -LiteralPath $upgradedMarker -Value ('Database {0} upgraded to {1} by {2} on {3:u}.' -f $SqlDatabase, $TargetVersion, $NodeName, (Get-Date)) -Encoding 'UTF8'
    }
}
#endregion octoha:first

if ($status -eq 'Running') {
    Write-Output ('The service {0} runs: already started.' -f $ServiceName)
}
elseif ($PSCmdlet.ShouldProcess($ServiceName, 'Start the Octopus service')) {
    Invoke-OctopusServer -Command 'service' -Arguments @('--instance', $Instance, '--start')
}
if ($PSCmdlet.ShouldProcess($NodeName, 'Wait for the node to answer, then undrain it (node --drain=false)')) {
    Wait-NodeUp
    Invoke-OctopusServer -Command 'node' -Arguments @('--instance', $Instance, '--drain=false')
}
#region octoha:first
Write-Outcome -Done @(('Node {0} runs {1} and the database is upgraded. Next, on each other node: its upgrade-install script (UPGRADE.md, step 5).' -f $NodeName, $TargetVersion))
#endregion octoha:first
#region octoha:!first
Write-Outcome -Done @(('Node {0} runs {1}. Once every node does, test the cluster and run upgrade-finish.ps1 (UPGRADE.md, steps 6 and 7).' -f $NodeName, $TargetVersion))
#endregion octoha:!first
}
finally {
    # octoha:common transcript-stop
}
