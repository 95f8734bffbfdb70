namespace MoviePlayerCheckpoints;

/// <summary>A movie player's checkpoint event: where a user is in a movie, by the user's clock.</summary>
/// <param name="User">The user.</param>
/// <param name="Movie">The movie being watched.</param>
/// <param name="Position">The playback position.</param>
/// <param name="UsersTime">When the player sent it, by the user's device clock.</param>
public sealed record PlayerCheckpoint(string User, string Movie, TimeSpan Position, DateTimeOffset UsersTime);
