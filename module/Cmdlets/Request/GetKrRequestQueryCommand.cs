// Get-KrRequestQuery: a query parameter of the current request (see KrRequestValueCmdlet).
using System.Management.Automation;

namespace KestrunRust.Cmdlets
{
    /// <summary>Get-KrRequestQuery: the (percent-decoded) first value of query parameter -Name, or $null.</summary>
    [Cmdlet(VerbsCommon.Get, "KrRequestQuery", DefaultParameterSetName = DefaultSet)]
    [OutputType(typeof(string), typeof(int), typeof(bool), typeof(double))]
    public sealed class GetKrRequestQueryCommand : KrRequestValueCmdlet
    {
        public GetKrRequestQueryCommand() : base("query parameter", "KrGetRequestQueryFailed")
        {
        }

        protected override string Read(KrRequestContext context, string name)
        {
            return context.GetQuery(name);
        }
    }
}
