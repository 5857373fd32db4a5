#Requires -Version 5.1
#Requires -RunAsAdministrator

<#
.SYNOPSIS
    Step 7 of the upgrade to ${octoha:TargetVersion}: checks every node, then maintenance mode off (octoha).
.DESCRIPTION
    Run this on the machine that ran upgrade-preflight.ps1, once every
    node's upgrade-install script has run. It checks that every node
    answers GET /api with ${octoha:TargetVersion} and that its ping URL answers
    (200, or 418 while it drains), then turns maintenance mode off (PUT
    /api/maintenanceconfiguration), the last step of the upgrade guide
    (https://octopus.com/docs/administration/upgrading/guide/upgrading-minor-and-patch-releases).
    Test the cluster before you run it: maintenance mode keeps everyone
    but administrators out until then.

    Safe to run twice: maintenance mode already off is left off. Run it
    with -WhatIf to see every step first. The run is logged under
    $env:ProgramData\octoha\logs; the API key goes only into the
    X-Octopus-ApiKey header of its web requests.
.PARAMETER ApiKey
    An Octopus API key (API-...) of an administrator, for maintenance mode.
.EXAMPLE
    $key = Read-Host -AsSecureString -Prompt 'Octopus API key'
    .\upgrade-finish.ps1 -ApiKey $key
.EXAMPLE
    .\upgrade-finish.ps1 -ApiKey $key -WhatIf
#>
[CmdletBinding(SupportsShouldProcess)]
param(
    [Parameter(Mandatory)]
    [SecureString] $ApiKey
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'
$ScriptName = 'upgrade-finish'

# octoha:values

# octoha:common native-helpers

# octoha:common outcome

# octoha:common upgrade-helpers

# octoha:common transcript-start
try {
[Net.ServicePointManager]::SecurityProtocol = [Net.ServicePointManager]::SecurityProtocol -bor [Net.SecurityProtocolType]::Tls12
$headers = @{ 'X-Octopus-ApiKey' = [System.Net.NetworkCredential]::new('', $ApiKey).Password }

$behind = @()
foreach ($node in $Nodes) {
    $version = Get-NodeVersion -Url $node.Url
    if (-not (Test-VersionNames -Version $TargetVersion -Installed $version)) {
        $behind += ('{0} (answers: {1})' -f $node.Name, "$version")
        continue
    }
    if (-not (Test-NodeRunning -Url $node.Url)) {
        $behind += ('{0} (its ping does not answer)' -f $node.Name)
        continue
    }
    Write-Output ('Node {0} runs {1}.' -f $node.Name, $version)
}
if ($behind.Count -gt 0) {
    throw ('Not every node runs {0} yet: {1}. Run upgrade-install-NODE.ps1 on each, then run this again. Maintenance mode stays on.' -f $TargetVersion, ($behind -join '; '))
}

$maintenanceUri = $ServerUrl.TrimEnd('/') + '/api/maintenanceconfiguration'
if (-not (Test-MaintenanceMode -Uri $maintenanceUri -Headers $headers)) {
    Write-Output 'Maintenance mode is off: already done.'
}
elseif ($PSCmdlet.ShouldProcess($ServerUrl, 'Turn maintenance mode off')) {
    Set-MaintenanceMode -Uri $maintenanceUri -Headers $headers -On $false
    Write-Output 'Maintenance mode is off.'
}
Write-Outcome -Done @(('The cluster runs {0}. Keep the octoha-answers.yaml written with this runbook as the cluster''s answers from now on.' -f $TargetVersion))
}
finally {
    # The headers hold the API key in plain text: drop them on every way out.
    $headers = $null
    # octoha:common transcript-stop
}
