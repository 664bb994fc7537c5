function ConvertTo-KrTypedValue {
    <#
    .SYNOPSIS
        Converts a request value (query, header, route parameter) to the type asked with -AsInt / -AsBool / -AsDouble.
    .DESCRIPTION
        Returns the string unchanged when no conversion is asked. A value that cannot be converted raises a
        FormatException naming the value and where it came from (never a silent $null).
    .PARAMETER Value
        The value (never $null here).
    .PARAMETER Name
        The name of the query parameter / header / route parameter.
    .PARAMETER Source
        What the value is, for messages: 'query parameter', 'header', 'route parameter'.
    .PARAMETER As
        '' (string), 'Int', 'Bool', 'Double' or 'String'.
    .EXAMPLE
        ConvertTo-KrTypedValue -Value '42' -Name 'id' -Source 'query parameter' -As Int
    #>
    [CmdletBinding()]
    [OutputType([string], [int], [bool], [double])]
    param(
        [Parameter(Mandatory = $true)]
        [AllowEmptyString()]
        [string]$Value,

        [Parameter(Mandatory = $true)]
        [string]$Name,

        [Parameter(Mandatory = $true)]
        [string]$Source,

        [Parameter()]
        [AllowEmptyString()]
        [string]$As = ''
    )

    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    switch ($As) {
        'Int' {
            $number = 0
            if ([int]::TryParse($Value.Trim(), [System.Globalization.NumberStyles]::Integer, $invariant, [ref]$number)) {
                return $number
            }
            throw [System.FormatException]::new("The $Source '$Name' is '$Value', which is not an integer.")
        }
        'Double' {
            $number = 0.0
            if ([double]::TryParse($Value.Trim(), [System.Globalization.NumberStyles]::Float, $invariant, [ref]$number)) {
                return $number
            }
            throw [System.FormatException]::new("The $Source '$Name' is '$Value', which is not a number.")
        }
        'Bool' {
            $text = $Value.Trim().ToLowerInvariant()
            if ($text -in @('true', '1', 'yes', 'on')) { return $true }
            if ($text -in @('false', '0', 'no', 'off', '')) { return $false }
            throw [System.FormatException]::new("The $Source '$Name' is '$Value', which is not a boolean (true/false, 1/0, yes/no, on/off).")
        }
        default {
            return $Value
        }
    }
}
