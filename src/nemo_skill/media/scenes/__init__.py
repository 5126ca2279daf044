"""What a generated video shows: subjects, motifs, looks, the user's library."""
