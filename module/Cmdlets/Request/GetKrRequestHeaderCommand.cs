// Get-KrRequestHeader: a header of the current request (see KrRequestValueCmdlet).
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrRequestHeader: the value of request header -Name (case-insensitive; repeated headers joined with ", "), or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestHeader", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestHeaderCommand : KrRequestValueCmdlet
    {
        public GetKrRequestHeaderCommand() : base("header", "KrGetRequestHeaderFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetHeader(name);
        }
    }
}
