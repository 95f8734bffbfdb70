namespace StreamLinq.Analyzers.Tests.Support;

/// <summary>The repository's root folder: the first ancestor of the test binaries holding StreamLinq.sln.</summary>
internal static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "StreamLinq.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No StreamLinq.sln above {AppContext.BaseDirectory}.");
    }
}
