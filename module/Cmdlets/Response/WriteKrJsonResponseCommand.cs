// Write-KrJsonResponse: serializes an object as ConvertTo-Json does and writes it as the response, with the status
// code and content type, in one call to the engine.
using System.Threading;

namespace KestrunRust.Cmdlets
{
    /// <summary>Write-KrJsonResponse: objects piped in are collected; one is written as itself, several (or none) as
    /// a JSON array; $null as null.</summary>
    [Cmdlet(VerbsCommunications.Write, "KrJsonResponse")]
    public sealed class WriteKrJsonResponseCommand : KrRouteCmdlet, IDisposable
    {
        private readonly List<object> _items = new List<object>(1);
        private CancellationTokenSource _stopping;

        /// <summary>The object to serialize (hashtable, PSCustomObject, array, value...).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true), AllowNull, AllowEmptyCollection, AllowEmptyString]
        public object InputObject { get; set; }

        /// <summary>The HTTP status code, 100..999.</summary>
        [Parameter, ValidateRange(100, 999)]
        public int StatusCode { get; set; } = 200;

        /// <summary>Maximum depth of the serialization, 0..100.</summary>
        [Parameter, ValidateRange(0, 100)]
        public int Depth { get; set; } = 10;

        /// <summary>Write the JSON without indentation and line breaks.</summary>
        [Parameter]
        public SwitchParameter Compress { get; set; }

        /// <summary>The Content-Type header.</summary>
        [Parameter, ValidateNotNullOrEmpty]
        public string ContentType { get; set; } = "application/json; charset=utf-8";

        protected override void ProcessRecord()
        {
            _items.Add(KrPipelineValue.AsMethodArgument(InputObject));
        }

        protected override void EndProcessing()
        {
            try
            {
                KrRequestContext context = RequireContext();
                object payload = _items.Count == 1 ? _items[0] : _items.ToArray();
                _stopping = new CancellationTokenSource();
                string json = KrPowerShellJson.Convert(payload, Depth, Compress.IsPresent, this, _stopping.Token);
                if (json == null)
                {
                    // Only a stopped pipeline (Ctrl+C, the server stopping) makes the serializer give up.
                    if (Stopping)
                    {
                        throw new PipelineStoppedException();
                    }
                    json = "null";
                }
                context.Write(StatusCode, ContentType, json);
            }
            catch (Exception error) when (!(error is PipelineStoppedException))
            {
                ThrowFailure(error, "KrWriteJsonResponseFailed", StatusCode);
            }
        }

        protected override void StopProcessing()
        {
            try
            {
                _stopping?.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        public void Dispose()
        {
            _stopping?.Dispose();
        }
    }
}
